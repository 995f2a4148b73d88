package io.natgate.control.lab;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The HA lab's traffic (docs/ha.md), run in a namespace: {@code server PORT} accepts TCP connections and writes
 * each a numbered line every 100 ms (the server speaks first), and echoes UDP datagrams on the same port;
 * {@code client HOST PORT} reads the TCP lines and sends a numbered datagram every 20 ms, printing
 * {@code tcp|udp NANOTIME SEQ} for each line and echo that arrives (the monotonic clock is the host's, so the
 * test compares it with its own); {@code flows HOST PORT COUNT} sends one datagram from each of COUNT sockets (COUNT
 * new sessions through the gateway) as fast as it can and prints {@code flows sent COUNT}; {@code spread HOST PORT
 * COUNT SOURCE...} opens COUNT TCP connections and COUNT UDP sockets from each source address, asks the server
 * three times over each UDP socket where its datagrams come from ({@code udp LOCAL seen PUBLIC...}) and reads three
 * lines from each connection ({@code tcp LOCAL lines N}). The server answers a datagram starting with {@code ?} with
 * {@code seen ADDRESS:PORT}, the source it saw, and echoes any other.
 */
public final class HaProbe
{
    static final long TCP_INTERVAL_MS = 100;
    static final long UDP_INTERVAL_MS = 20;

    private HaProbe()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args[0].equals("server"))
        {
            server(Integer.parseInt(args[1]));
        }
        else if (args[0].equals("spread"))
        {
            spread(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                java.util.Arrays.copyOfRange(args, 4, args.length));
        }
        else if (args[0].equals("flows"))
        {
            flows(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        }
        else
        {
            client(args[1], Integer.parseInt(args[2]));
        }
    }

    private static void server(final int port) throws Exception
    {
        final DatagramSocket udp = new DatagramSocket(port);
        final Thread echo = new Thread(() ->
        {
            final byte[] buffer = new byte[64];
            try
            {
                while (true)
                {
                    final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    udp.receive(packet);
                    if (packet.getLength() > 0 && buffer[0] == '?')
                    {
                        final byte[] seen = ("seen " + endpoint((InetSocketAddress)packet.getSocketAddress()))
                            .getBytes(StandardCharsets.US_ASCII);
                        udp.send(new DatagramPacket(seen, seen.length, packet.getSocketAddress()));
                    }
                    else
                    {
                        udp.send(new DatagramPacket(buffer, packet.getLength(), packet.getSocketAddress()));
                    }
                }
            }
            catch (final Exception ex)
            {
                System.out.println("udp echo ended: " + ex);
            }
        }, "udp-echo");
        echo.setDaemon(true);
        echo.start();
        try (ServerSocket listener = new ServerSocket(port))
        {
            System.out.println("listening " + port);
            while (true)
            {
                final Socket socket = listener.accept();
                final Thread writer = new Thread(() ->
                {
                    try (socket; OutputStream out = socket.getOutputStream())
                    {
                        for (long seq = 1; ; seq++)
                        {
                            out.write((seq + "\n").getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                            Thread.sleep(TCP_INTERVAL_MS);
                        }
                    }
                    catch (final Exception ex)
                    {
                        System.out.println("tcp writer ended: " + ex);
                    }
                });
                writer.setDaemon(true);
                writer.start();
            }
        }
    }

    private static String endpoint(final InetSocketAddress address)
    {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    private static void spread(final String host, final int port, final int count, final String[] sources)
        throws Exception
    {
        final InetSocketAddress server = new InetSocketAddress(host, port);
        final java.util.List<Socket> connections = new java.util.ArrayList<>();
        final java.util.List<DatagramSocket> sockets = new java.util.ArrayList<>();
        for (final String source : sources)
        {
            for (int i = 0; i < count; i++)
            {
                final Socket connection = new Socket();
                connection.bind(new InetSocketAddress(source, 0));
                connection.connect(server, 5000);
                connection.setSoTimeout(5000);
                connections.add(connection);
                final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source, 0));
                socket.setSoTimeout(2000);
                socket.connect(server);
                sockets.add(socket);
            }
        }
        final byte[] ask = {'?'};
        final byte[] buffer = new byte[64];
        for (final DatagramSocket socket : sockets)
        {
            final StringBuilder seen = new StringBuilder();
            for (int round = 0; round < 3; round++)
            {
                socket.send(new DatagramPacket(ask, ask.length));
                final DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                try
                {
                    socket.receive(reply);
                    seen.append(' ').append(new String(buffer, 5, reply.getLength() - 5, StandardCharsets.US_ASCII));
                }
                catch (final java.net.SocketTimeoutException ex)
                {
                    seen.append(" lost");
                }
            }
            System.out.println("udp " + endpoint((InetSocketAddress)socket.getLocalSocketAddress()) + " seen" + seen);
            socket.close();
        }
        for (final Socket connection : connections)
        {
            int lines = 0;
            final String local = endpoint((InetSocketAddress)connection.getLocalSocketAddress());
            try (connection; BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                StandardCharsets.US_ASCII)))
            {
                while (lines < 3 && in.readLine() != null)
                {
                    lines++;
                }
            }
            catch (final java.io.IOException ex)
            {
                System.out.println("tcp error " + ex);
            }
            System.out.println("tcp " + local + " lines " + lines);
        }
        System.out.println("spread done");
    }

    private static void flows(final String host, final int port, final int count) throws Exception
    {
        final InetSocketAddress server = new InetSocketAddress(host, port);
        final byte[] data = "flow".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < count; i++)
        {
            try (DatagramSocket socket = new DatagramSocket())
            {
                socket.send(new DatagramPacket(data, data.length, server));
            }
        }
        System.out.println("flows sent " + count);
    }

    private static void client(final String host, final int port) throws Exception
    {
        final DatagramSocket udp = new DatagramSocket();
        udp.connect(new InetSocketAddress(host, port));
        final Thread sender = new Thread(() ->
        {
            try
            {
                for (long seq = 1; ; seq++)
                {
                    final byte[] data = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
                    udp.send(new DatagramPacket(data, data.length));
                    Thread.sleep(UDP_INTERVAL_MS);
                }
            }
            catch (final Exception ex)
            {
                System.out.println("udp sender ended: " + ex);
            }
        }, "udp-send");
        sender.setDaemon(true);
        sender.start();
        final Thread receiver = new Thread(() ->
        {
            final byte[] buffer = new byte[64];
            try
            {
                while (true)
                {
                    final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    udp.receive(packet);
                    System.out.println("udp " + System.nanoTime() + " " +
                        new String(buffer, 0, packet.getLength(), StandardCharsets.US_ASCII));
                }
            }
            catch (final Exception ex)
            {
                System.out.println("udp receiver ended: " + ex);
            }
        }, "udp-receive");
        receiver.setDaemon(true);
        receiver.start();
        try (Socket socket = new Socket(host, port);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                StandardCharsets.US_ASCII)))
        {
            System.out.println("connected");
            String line;
            while ((line = in.readLine()) != null)
            {
                System.out.println("tcp " + System.nanoTime() + " " + line);
            }
            System.out.println("tcp closed");
        }
        catch (final Exception ex)
        {
            System.out.println("tcp ended: " + ex);
        }
    }
}
