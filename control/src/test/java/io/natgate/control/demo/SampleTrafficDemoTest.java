package io.natgate.control.demo;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SampleTrafficDemoTest
{
    @Test
    void shouldTranslateSampleTrafficAndRefuseWhatItShould()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final SampleTrafficDemo.Result result =
            new SampleTrafficDemo(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
        final String printed = bytes.toString(StandardCharsets.UTF_8);

        assertEquals(1, result.corruptDropped());
        assertEquals(1, result.unsolicitedDropped());
        assertEquals(5, result.mappings(), printed);
        assertTrue(printed.contains("wan out UDP 203.0.113.1:40000 > 198.51.100.7:53"), printed);
        assertTrue(printed.contains("lan out UDP 198.51.100.7:53 > 10.0.0.2:40000"), printed);
        assertTrue(printed.contains("lan out TCP 198.51.100.66:6667 > 10.0.0.3:80 [S]"), printed);
        assertTrue(printed.contains("lan out TCP 203.0.113.1:42000 > 10.0.0.3:80 [S]"), printed);
        assertTrue(printed.contains("lan out ICMP 10.0.0.1 > 10.0.0.2 time exceeded"), printed);
        assertTrue(printed.contains("tcp   10.0.0.3:80           203.0.113.1:8080      static"), printed);
    }
}
