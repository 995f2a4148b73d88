package io.natgate.control.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code natgate reload}: what SIGHUP does, through the admin endpoint.
 */
@Command(
    name = "reload",
    mixinStandardHelpOptions = true,
    description = "Makes a running gateway reload its config file, as SIGHUP does: static mappings, quotas, " +
        "firewall rules, providers and the log level change at once; settings that need a restart (ports, " +
        "addresses, timeouts, table sizes, profile, journal, admin) are named and keep their running values. A file that does not load " +
        "is refused with file, line, key and value, and nothing changes.")
final class ReloadCommand implements Callable<Integer>
{
    @Mixin
    private AdminEndpoint admin;

    public Integer call()
    {
        return admin.send("POST", "/reload", Map.of(), body ->
        {
            final Map<?, ?> result = (Map<?, ?>)body;
            final List<?> changed = (List<?>)result.get("changed");
            final List<?> restart = (List<?>)result.get("needsRestart");
            if (changed.isEmpty())
            {
                admin.out().println("nothing to change live");
            }
            changed.forEach(line -> admin.out().println("changed: " + line));
            if (!restart.isEmpty())
            {
                admin.out().println("needs a restart (running values kept): " +
                    String.join(", ", restart.stream().map(String::valueOf).toList()));
            }
        });
    }
}
