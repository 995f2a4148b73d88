package io.natgate.control.cli;

import io.natgate.control.ha.HaAdmin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code natgate ha status}: a running gateway's place in its active–standby pair.
 */
@Command(
    name = "ha",
    mixinStandardHelpOptions = true,
    description = "High availability: the gateway's place in its active-standby pair (docs/ha.md).",
    subcommands = HaCommand.Status.class)
final class HaCommand implements Runnable
{
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Shows a running gateway's HA role (active or standby) and priority, its peer (role, " +
            "priority, when last heard), whether the replication link and the second heartbeat path are up and how " +
            "often the link was lost, whether it is in step (synced), the replication lag in records and time, " +
            "what was sent, applied, refused or missed, snapshots, and the last transition with its reason. " +
            "--digests adds the digests of its mapping and session tables, equal on both gateways when in step.")
    static final class Status implements java.util.concurrent.Callable<Integer>
    {
        @Mixin
        private AdminEndpoint admin;

        @Option(names = "--digests", description = "Add the tables' digests (read on the worker).")
        private boolean digests;

        public Integer call()
        {
            return admin.send("GET", HaAdmin.CONTEXT, digests ? Map.of("digests", "true") : Map.of(), body ->
            {
                final Map<?, ?> status = new LinkedHashMap<>((Map<?, ?>)body);
                final Object last = status.remove("lastTransition");
                for (final Map.Entry<?, ?> entry : status.entrySet())
                {
                    admin.out().printf("%-18s %s%n", entry.getKey(), entry.getValue());
                }
                if (last instanceof Map<?, ?> transition)
                {
                    admin.out().printf("%-18s %s -> %s at %s: %s%n", "lastTransition", transition.get("from"),
                        transition.get("to"), java.time.Instant.ofEpochMilli(((Number)transition.get("timeEpochMs"))
                            .longValue()), transition.get("reason"));
                }
                else
                {
                    admin.out().printf("%-18s %s%n", "lastTransition", "none");
                }
            });
        }
    }
}
