package io.natgate.control.cli;

import io.natgate.control.admin.SessionsAdmin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code natgate summary}: the NAT tables at a glance, as VPP's {@code show nat44 summary}.
 */
@Command(
    name = "summary",
    mixinStandardHelpOptions = true,
    description = "Shows a running gateway's sessions by protocol and state, how full the session, mapping, " +
        "client and public port tables are (used, capacity and percent), and the ports in use on each public " +
        "address.")
final class SummaryCommand implements Callable<Integer>
{
    @Mixin
    private AdminEndpoint admin;

    public Integer call()
    {
        return admin.send("GET", SessionsAdmin.SUMMARY, Map.of(), body ->
        {
            final Map<?, ?> summary = (Map<?, ?>)body;
            final List<String[]> sessions = new ArrayList<>();
            sessions.add(new String[] {"PROTO", "STATE", "SESSIONS"});
            for (final Map.Entry<?, ?> entry : ((Map<?, ?>)summary.get("sessions")).entrySet())
            {
                final String[] key = String.valueOf(entry.getKey()).split(" ", 2);
                sessions.add(new String[] {key[0], key[1], String.valueOf(entry.getValue())});
            }
            if (sessions.size() > 1)
            {
                ProfilesCommand.printTable(admin.out(), sessions);
                admin.out().println();
            }
            final List<String[]> tables = new ArrayList<>();
            tables.add(new String[] {"TABLE", "USED", "CAPACITY", "USE"});
            for (final Map.Entry<?, ?> entry : ((Map<?, ?>)summary.get("tables")).entrySet())
            {
                final Map<?, ?> table = (Map<?, ?>)entry.getValue();
                tables.add(new String[] {String.valueOf(entry.getKey()), String.valueOf(table.get("used")),
                    String.valueOf(table.get("capacity")), table.get("percent") + "%"});
            }
            ProfilesCommand.printTable(admin.out(), tables);
            admin.out().println();
            final List<String[]> addresses = new ArrayList<>();
            addresses.add(new String[] {"PUBLIC ADDRESS", "PORTS IN USE"});
            for (final Map.Entry<?, ?> entry : ((Map<?, ?>)summary.get("publicAddresses")).entrySet())
            {
                addresses.add(new String[] {String.valueOf(entry.getKey()), String.valueOf(entry.getValue())});
            }
            ProfilesCommand.printTable(admin.out(), addresses);
        });
    }
}
