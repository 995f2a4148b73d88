package io.natgate.control.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code natgate firewall sessions|rules|open|close}: a running gateway's firewall sessions and access
 * rules, through its admin endpoint ({@code /firewall/}).
 */
@Command(
    name = "firewall",
    mixinStandardHelpOptions = true,
    description = "Lists, opens and closes a running gateway's firewall sessions, and lists its access rules, " +
        "through its admin endpoint. A private session with an inbound mapping directs inbound connections to a " +
        "client; the access rules, for that session and its user, decide which get through.",
    subcommands = {FirewallCommand.Sessions.class, FirewallCommand.Rules.class, FirewallCommand.Open.class,
        FirewallCommand.Close.class})
final class FirewallCommand implements Runnable
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "sessions", mixinStandardHelpOptions = true,
        description = "Lists the open sessions, then the recently closed ones: kind (client or private), user, flags " +
            "and the inbound mappings each opened. A client address has one client session and any number of " +
            "private ones.")
    static final class Sessions implements Callable<Integer>
    {
        @Mixin
        private AdminEndpoint admin;

        @Option(names = "--client", paramLabel = "ADDRESS", description = "Only the sessions of this client address.")
        private String client;

        public Integer call()
        {
            final Map<String, String> query = new LinkedHashMap<>();
            put(query, "client", client);
            return admin.send("GET", "/firewall/sessions", query, body ->
            {
                @SuppressWarnings("unchecked")
                final List<Map<String, Object>> sessions = (List<Map<String, Object>>)body;
                if (sessions.isEmpty())
                {
                    admin.out().println("no firewall sessions");
                    return;
                }
                final List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"ID", "KIND", "STATE", "CLIENT", "INTERFACE", "USER", "FLAGS", "OPEN", "MAPPINGS"});
                for (final Map<String, Object> session : sessions)
                {
                    final Object user = session.get("user");
                    rows.add(new String[] {String.valueOf(session.get("id")), (String)session.get("kind"),
                        (String)session.get("state"), (String)session.get("client"), (String)session.get("interface"),
                        user == null ? "-" : (String)user, String.join(",", strings(session.get("flags"))),
                        ((Number)session.get("openForMs")).longValue() / 1000 + "s", mappings(session)});
                }
                ProfilesCommand.printTable(admin.out(), rows);
            });
        }
    }

    @Command(name = "rules", mixinStandardHelpOptions = true,
        description = "Lists the access rules in the order they are evaluated (the first match decides), with how " +
            "many new flows each decided since the gateway started.")
    static final class Rules implements Callable<Integer>
    {
        @Mixin
        private AdminEndpoint admin;

        public Integer call()
        {
            return admin.send("GET", "/firewall/rules", new LinkedHashMap<>(), body ->
            {
                final List<?> rules = (List<?>)body;
                if (rules.isEmpty())
                {
                    admin.out().println("no firewall rules: every outbound flow is allowed, inbound only through the " +
                        "client's own and static mappings");
                    return;
                }
                final List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"#", "NAME", "ACTION", "DIRECTION", "PROTOCOL", "SOURCE", "DESTINATION", "PORTS",
                    "USER", "HITS"});
                for (final Object item : rules)
                {
                    final Map<String, Object> rule = map(item);
                    final Object user = rule.get("user");
                    final Object group = rule.get("group");
                    rows.add(new String[] {String.valueOf(rule.get("index")), (String)rule.get("name"),
                        (String)rule.get("action"), (String)rule.get("direction"), (String)rule.get("protocol"),
                        (String)rule.get("source"), (String)rule.get("destination"), (String)rule.get("ports"),
                        user != null ? (String)user : group != null ? "group " + group : "-",
                        String.valueOf(rule.get("hits"))});
                }
                ProfilesCommand.printTable(admin.out(), rows);
            });
        }
    }

    @Command(name = "open", mixinStandardHelpOptions = true,
        description = "Opens a new private session for a client (or, with --client-session, gets the client " +
            "session of a client an inside port reaches), with an inbound mapping for it when --protocol and --port " +
            "are given; with --session, opens the mapping in an existing session. A mapping the access rules would " +
            "drop connections through is refused, naming the rule.")
    static final class Open implements Callable<Integer>
    {
        @Mixin
        private AdminEndpoint admin;

        @Option(names = "--client", paramLabel = "ADDRESS[:PORT]", description = "The client (IPv4).")
        private String client;

        @Option(names = "--session", paramLabel = "ID", description = "Open the mapping in this session instead.")
        private Long session;

        @Option(names = "--internal", paramLabel = "ADDRESS[:PORT]",
            description = "The gateway's inside address to use; default: the inside interface facing the client.")
        private String internal;

        @Option(names = "--user", paramLabel = "NAME",
            description = "The authenticated user rules see; default: none, rules match the client address only.")
        private String user;

        @Option(names = "--group", paramLabel = "NAME", description = "A group of the user (repeatable).")
        private List<String> groups = new ArrayList<>();

        @Option(names = "--client-session", description = "The client session of a SecureNAT client, not a private one.")
        private boolean clientSession;

        @Option(names = "--protocol", paramLabel = "tcp|udp", description = "The inbound mapping's protocol.")
        private String protocol;

        @Option(names = "--port", paramLabel = "PORT", description = "The client's port inbound connections go to.")
        private Integer port;

        @Option(names = "--public-port", paramLabel = "PORT",
            description = "The public port wanted; default: the gateway chooses (preferring --port).")
        private Integer publicPort;

        @Option(names = "--remote", paramLabel = "ADDRESS", description = "Only this remote may connect; default: any.")
        private String remote;

        @Option(names = "--lifetime", paramLabel = "DURATION",
            description = "How long the mapping lasts (e.g. 30m, 2h); default: until the session closes.")
        private String lifetime;

        public Integer call()
        {
            if ((client == null) == (session == null))
            {
                throw new CommandLine.ParameterException(admin.commandLine(), "give --client or --session");
            }
            final Map<String, String> query = new LinkedHashMap<>();
            if (session != null)
            {
                query.put("session", session.toString());
            }
            else
            {
                query.put("client", client);
                if (clientSession)
                {
                    query.put("kind", "client");
                }
                put(query, "internal", internal);
                put(query, "user", user);
                put(query, "groups", groups.isEmpty() ? null : String.join(",", groups));
            }
            put(query, "protocol", protocol);
            put(query, "port", port == null ? null : port.toString());
            put(query, "publicPort", publicPort == null ? null : publicPort.toString());
            put(query, "remote", remote);
            put(query, "lifetime", lifetime);
            if (session != null)
            {
                return admin.send("POST", "/firewall/mappings", query,
                    body -> admin.out().println("session " + session + ": mapping " + mapping(map(body))));
            }
            return admin.send("POST", "/firewall/sessions", query, body ->
            {
                final Map<String, Object> opened = map(body);
                final Object name = opened.get("user");
                admin.out().println("session " + opened.get("id") + " open: " + opened.get("kind") + ", client " +
                    opened.get("client") + " via " + opened.get("interface") + " (" + opened.get("internal") + ")" +
                    (name == null ? ", anonymous" : ", user " + name));
                for (final Object mapping : (List<?>)opened.get("mappings"))
                {
                    admin.out().println("mapping " + mapping(map(mapping)));
                }
            });
        }
    }

    @Command(name = "close", mixinStandardHelpOptions = true,
        description = "Closes a session and its inbound mappings, or with --protocol and --port one mapping of it.")
    static final class Close implements Callable<Integer>
    {
        @Mixin
        private AdminEndpoint admin;

        @Parameters(paramLabel = "ID", description = "The session, as natgate firewall sessions lists it.")
        private long id;

        @Option(names = "--protocol", paramLabel = "tcp|udp", description = "With --port: close only the session's mapping of this protocol.")
        private String protocol;

        @Option(names = "--port", paramLabel = "PORT", description = "With --protocol: close only the session's mapping to this client port.")
        private Integer port;

        public Integer call()
        {
            if ((protocol == null) != (port == null))
            {
                throw new CommandLine.ParameterException(admin.commandLine(), "give --protocol and --port together");
            }
            final Map<String, String> query = new LinkedHashMap<>();
            if (protocol == null)
            {
                query.put("id", Long.toString(id));
                return admin.send("DELETE", "/firewall/sessions", query,
                    body -> admin.out().println("session " + id + " closed"));
            }
            query.put("session", Long.toString(id));
            query.put("protocol", protocol);
            query.put("port", port.toString());
            return admin.send("DELETE", "/firewall/mappings", query,
                body -> admin.out().println("session " + id + ": " + protocol + " mapping to port " + port + " closed"));
        }
    }

    private static void put(final Map<String, String> query, final String key, final String value)
    {
        if (value != null)
        {
            query.put(key, value);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(final Object value)
    {
        return (Map<String, Object>)value;
    }

    private static List<String> strings(final Object value)
    {
        final List<String> strings = new ArrayList<>();
        for (final Object item : (List<?>)value)
        {
            strings.add(String.valueOf(item));
        }
        return strings;
    }

    private static String mappings(final Map<String, Object> session)
    {
        final List<String> mappings = new ArrayList<>();
        for (final Object mapping : (List<?>)session.get("mappings"))
        {
            mappings.add(mapping(map(mapping)));
        }
        return mappings.isEmpty() ? "-" : String.join("; ", mappings);
    }

    private static String mapping(final Map<String, Object> mapping)
    {
        return mapping.get("protocol") + " " + mapping.get("public") + " -> " + mapping.get("inside") + " (" +
            ("any".equals(mapping.get("remote")) ? "any remote" : "from " + mapping.get("remote")) + ", " +
            mapping.get("lifetime") + ")";
    }
}
