package io.natgate.control.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static io.natgate.control.config.ConfigReads.network;
import static io.natgate.control.config.ConfigReads.parse;

/**
 * Reads the {@code firewall} section: its rules, each named once, matching a protocol, networks, a port
 * range (TCP and UDP only) and a user or a group.
 */
final class FirewallSection
{
    private static final Set<String> RULE_KEYS =
        Set.of("name", "action", "direction", "protocol", "source", "destination", "ports", "user", "group");
    private static final Map<String, FirewallRuleConfig.Action> ACTIONS =
        ConfigNode.choices(FirewallRuleConfig.Action.class);
    private static final Map<String, FirewallRuleConfig.Direction> DIRECTIONS =
        ConfigNode.choices(FirewallRuleConfig.Direction.class);
    private static final Map<String, String> RULE_PROTOCOLS =
        ConfigNode.choices(new String[] {"any", "tcp", "udp", "icmp"}, Function.identity());

    private FirewallSection()
    {
    }

    static List<FirewallRuleConfig> read(final ConfigNode firewall)
    {
        final List<FirewallRuleConfig> rules = new ArrayList<>();
        if (firewall == null)
        {
            return rules;
        }
        final ConfigNode rulesNode = firewall.keys(Set.of("rules")).get("rules");
        if (rulesNode == null)
        {
            return rules;
        }
        for (final ConfigNode item : rulesNode.items())
        {
            item.keys(RULE_KEYS);
            final ConfigNode nameNode = item.require("name");
            final String name = nameNode.asText();
            if (rules.stream().anyMatch(rule -> rule.name().equals(name)))
            {
                throw nameNode.error("rule name used twice");
            }
            final ConfigNode protocolNode = item.get("protocol");
            final String protocol = protocolNode == null ? "any" : protocolNode.asChoice(RULE_PROTOCOLS);
            final Ipv4Prefix source = network(item.get("source"));
            final Ipv4Prefix destination = network(item.get("destination"));
            int firstPort = 0;
            int lastPort = 65535;
            final ConfigNode portsNode = item.get("ports");
            if (portsNode != null)
            {
                if (!protocol.equals("tcp") && !protocol.equals("udp"))
                {
                    throw portsNode.error("ports need protocol tcp or udp");
                }
                final int[] range = parse(portsNode, FirewallSection::portRange);
                firstPort = range[0];
                lastPort = range[1];
            }
            final String user = principal(item.get("user"), "user");
            final ConfigNode groupNode = item.get("group");
            final String group = principal(groupNode, "group");
            if (user != null && group != null)
            {
                throw groupNode.error("a rule names a user or a group, not both");
            }
            rules.add(new FirewallRuleConfig(name, item.require("action").asChoice(ACTIONS),
                item.require("direction").asChoice(DIRECTIONS), protocol, source, destination, firstPort, lastPort, user,
                group));
        }
        return rules;
    }

    /**
     * @return the user or group name a rule needs, or null when the key is left out.
     */
    private static String principal(final ConfigNode node, final String what)
    {
        if (node == null)
        {
            return null;
        }
        final String name = node.asText();
        if (name.isBlank())
        {
            throw node.error("a " + what + " name is needed (leave the key out for any session)");
        }
        return name;
    }


    private static int[] portRange(final String text)
    {
        final String[] bounds = text.split("-", -1);
        if (bounds.length > 2)
        {
            throw new IllegalArgumentException("expected a port or a range, e.g. 80 or 80-443");
        }
        final int[] range = new int[2];
        for (int i = 0; i < bounds.length; i++)
        {
            try
            {
                range[i] = Integer.parseInt(bounds[i].trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("expected a port or a range, e.g. 80 or 80-443", ex);
            }
            if (range[i] < 1 || range[i] > 65535)
            {
                throw new IllegalArgumentException("ports are 1..65535");
            }
        }
        if (bounds.length == 1)
        {
            range[1] = range[0];
        }
        if (range[1] < range[0])
        {
            throw new IllegalArgumentException("the range's first port is above its last");
        }
        return range;
    }

}
