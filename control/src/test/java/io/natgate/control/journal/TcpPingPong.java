package io.natgate.control.journal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A long-lived TCP connection for the warm-restart lab test, run in the lab's namespaces: {@code server PORT}
 * accepts one connection and sends {@code tick N} every 100 ms, printing each {@code tock N} it gets back;
 * {@code client HOST PORT} answers every tick with a tock. The server speaks first, so after a gateway
 * restart the first packet through is inbound: only a restored session lets it in.
 */
public final class TcpPingPong
{
    private TcpPingPong()
    {
    }

    public static void main(final String[] args) throws IOException, InterruptedException
    {
        if (args[0].equals("server"))
        {
            try (ServerSocket listener = new ServerSocket())
            {
                listener.bind(new InetSocketAddress(Integer.parseInt(args[1])));
                System.out.println("listening");
                System.out.flush();
                try (Socket socket = listener.accept())
                {
                    final PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
                    final BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.UTF_8));
                    final Thread reader = new Thread(() ->
                    {
                        try
                        {
                            String line;
                            while ((line = in.readLine()) != null)
                            {
                                System.out.println(line);
                                System.out.flush();
                            }
                            System.out.println("closed");
                        }
                        catch (final IOException ex)
                        {
                            System.out.println("failed: " + ex.getMessage());
                        }
                        System.out.flush();
                    });
                    reader.start();
                    for (int n = 1; reader.isAlive(); n++)
                    {
                        out.println("tick " + n);
                        Thread.sleep(100);
                    }
                }
            }
        }
        else
        {
            try (Socket socket = new Socket(args[1], Integer.parseInt(args[2])))
            {
                final PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
                final BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null)
                {
                    out.println(line.replace("tick", "tock"));
                }
            }
        }
    }
}
