package io.natgate.control.cli;

import io.natgate.control.demo.SampleTrafficDemo;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/**
 * {@code natgate demo}: runs the built-in sample traffic through the engine.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Runs built-in sample traffic (ping, DNS, TCP, a refused inbound SYN, a port forward, hairpinning, " +
        "a corrupt frame, an expiring TTL) through the real pipeline and NAT engine between two in-memory " +
        "Ethernet ports, printing each frame in and out, the mapping table and the counters. " +
        "Needs no privileges and no network.")
final class DemoCommand implements Callable<Integer>
{
    public Integer call()
    {
        final SampleTrafficDemo.Result result = new SampleTrafficDemo(System.out).run();
        return result.framesToWan() > 0 && result.framesToLan() > 0 ? 0 : 1;
    }
}
