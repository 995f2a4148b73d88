package io.natgate.control.export;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A plain UDP peer run in a lab namespace: {@code send ADDR PORT FIRST_SOURCE_PORT COUNT} sends one datagram from
 * each of COUNT consecutive source ports (a new NAT mapping each) and says {@code sent N}; {@code receive ADDR PORT}
 * prints every datagram it receives as one line (a syslog receiver), until killed.
 */
public final class UdpPeer
{
    private UdpPeer()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args[0].equals("send"))
        {
            final InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
            final int first = Integer.parseInt(args[3]);
            final int count = Integer.parseInt(args[4]);
            final byte[] payload = "natgate cgnat test".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < count; i++)
            {
                try (DatagramSocket socket = new DatagramSocket(first + i))
                {
                    socket.send(new DatagramPacket(payload, payload.length, target));
                }
            }
            System.out.println("sent " + count);
            return;
        }
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(args[1]),
            Integer.parseInt(args[2]))))
        {
            System.out.println("listening");
            System.out.flush();
            final byte[] buffer = new byte[65_536];
            while (true)
            {
                final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                System.out.println(new String(buffer, 0, packet.getLength(), StandardCharsets.UTF_8));
                System.out.flush();
            }
        }
    }
}
