package io.natgate.control.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code natgate providers}: the traversal provider instances of a running gateway.
 */
@Command(
    name = "providers",
    mixinStandardHelpOptions = true,
    description = "Lists a running gateway's traversal provider instances (Connectivity Platform).",
    subcommands = ProvidersCommand.ListInstances.class)
final class ProvidersCommand implements Runnable
{
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "Each instance: id, interface name and id, state, termination reason, routes, traffic.")
    static final class ListInstances implements Callable<Integer>
    {
        @Mixin
        private AdminEndpoint admin;

        public Integer call()
        {
            return admin.send("GET", "/providers", Map.of(), body ->
            {
                @SuppressWarnings("unchecked")
                final List<Map<String, Object>> instances = (List<Map<String, Object>>)body;
                admin.out().printf("%-6s %-40s %-10s %-14s %-24s %s%n", "id", "interface", "state", "reason",
                    "routes", "sent/received/dropped");
                for (final Map<String, Object> instance : instances)
                {
                    admin.out().printf("%-6s %-40s %-10s %-14s %-24s %s/%s/%s%n", instance.get("id"),
                        instance.get("name") + " (" + instance.get("interfaceId") + ")", instance.get("state"),
                        instance.get("reason"), instance.get("routes"), instance.get("sent"), instance.get("received"),
                        instance.get("dropped"));
                }
                if (instances.isEmpty())
                {
                    admin.out().println("no provider instances");
                }
            });
        }
    }
}
