package io.natgate.control.cli;

import io.natgate.control.config.JournalConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code natgate install}: the systemd service and the directories a gateway runs with, as a package would lay
 * them: the unit grants the capabilities the datapath needs instead of running as root.
 */
@Command(
    name = "install",
    mixinStandardHelpOptions = true,
    description = "Lays out a gateway as a systemd service: the unit natgate.service (run by a dynamic user " +
        "holding only CAP_NET_RAW and CAP_NET_ADMIN, and CAP_BPF with CAP_PERFMON for AF_XDP ports, instead of " +
        "root; SIGHUP through systemctl reload; its log to the systemd journal), the config directory with the " +
        "example config when there is none, and the journal directory (the journal rolls and deletes its own " +
        "files, so no logrotate). Under --root for packaging; then systemctl daemon-reload and enable --now " +
        "natgate.")
final class InstallCommand implements Callable<Integer>
{
    /** The capabilities of every gateway: AF_PACKET sockets and promiscuous mode, pcap. */
    static final String CAPABILITIES = "CAP_NET_RAW CAP_NET_ADMIN";
    /** What AF_XDP ports add: loading the XDP program and its maps. */
    static final String AF_XDP_CAPABILITIES = "CAP_BPF CAP_PERFMON";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--root", paramLabel = "DIR", description = "Install under DIR, as a package build does " +
        "(default: /).")
    private Path root = Path.of("/");

    @Option(names = "--launcher", paramLabel = "FILE",
        description = "The natgate launcher the unit runs (default: the one beside this installation's jvm.options).")
    private Path launcher;

    @Option(names = "--af-xdp", description = "Grant what AF_XDP ports need too (CAP_BPF, CAP_PERFMON).")
    private boolean afXdp;

    public Integer call() throws IOException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final Path unitFile = under(Path.of("/etc/systemd/system/natgate.service"));
        final Path configDirectory = under(Path.of("/etc/natgate"));
        final Path config = configDirectory.resolve("natgate.yaml");
        final Path journal = under(Path.of(JournalConfig.DIRECTORY_DEFAULT));
        final Path exec = launcher != null ? launcher.toAbsolutePath() :
            io.natgate.control.lab.NatgateJvm.current().jvmOptions().resolveSibling("natgate");

        Files.createDirectories(unitFile.getParent());
        Files.writeString(unitFile, unit(exec, afXdp));
        out.println("wrote " + unitFile);
        Files.createDirectories(configDirectory);
        if (!Files.exists(config))
        {
            try (InputStream example = InstallCommand.class.getClassLoader()
                .getResourceAsStream(ConfigCommand.EXAMPLE_RESOURCE))
            {
                Files.copy(example, config);
            }
            out.println("wrote " + config + " (the example: edit its ports and addresses, then natgate config check)");
        }
        Files.createDirectories(journal);
        out.println("made " + journal);
        out.println("then: systemctl daemon-reload && systemctl enable --now natgate; systemctl reload natgate " +
            "reloads the config");
        return 0;
    }

    private Path under(final Path absolute)
    {
        return root.resolve(Path.of("/").relativize(absolute));
    }

    /**
     * @return the unit: a dynamic user with the capabilities and directories it needs and nothing more.
     */
    static String unit(final Path launcher, final boolean afXdp)
    {
        final String capabilities = CAPABILITIES + (afXdp ? " " + AF_XDP_CAPABILITIES : "");
        return """
            [Unit]
            Description=natgate userspace NAT44 and firewall-traversal gateway
            After=network-online.target
            Wants=network-online.target

            [Service]
            Type=simple
            ExecStart=%1$s run --config /etc/natgate/natgate.yaml --counters /run/natgate/natgate.counters
            ExecReload=/bin/kill -HUP $MAINPID
            Restart=on-failure
            # not root: a user of its own with only the capabilities the datapath needs
            DynamicUser=yes
            AmbientCapabilities=%2$s
            CapabilityBoundingSet=%2$s
            NoNewPrivileges=yes
            # /var/lib/natgate (the journal), /etc/natgate (the config), /run/natgate (the counters)
            StateDirectory=natgate natgate/journal
            ConfigurationDirectory=natgate
            RuntimeDirectory=natgate
            RuntimeDirectoryMode=0755
            ProtectSystem=strict
            ProtectHome=yes
            PrivateTmp=yes
            LimitMEMLOCK=infinity
            # the log goes to the systemd journal, each line stamped; the event journal rolls and expires itself
            StandardOutput=journal
            StandardError=journal

            [Install]
            WantedBy=multi-user.target
            """.formatted(launcher, capabilities);
    }
}
