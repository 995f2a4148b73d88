package io.natgate.control.cli;

import io.natgate.control.config.ConfigException;
import io.natgate.control.config.ConfigLoader;
import io.natgate.control.testing.DocumentedExamples;
import io.natgate.control.testing.DocumentedExamples.Example;
import io.natgate.control.testing.TestHosts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command and config key README.md and docs/ show is exercised: each command line parses as natgate's
 * command line reads it (placeholders filled, optional parts included, each alternative once), each YAML block
 * loads as a config (a fragment in place of the example config's sections of the same names), and each config key
 * named in the prose is one the loader knows, with the value the prose gives when it gives one; and every link to a
 * file of the repository leads to one.
 */
class DocsExamplesTest
{
    @TempDir
    Path directory;

    private Environment environment;
    private ConfigLoader loader;
    private Path config;

    @BeforeEach
    void host() throws IOException
    {
        final Path sysfs = TestHosts.labInterfaces(directory.resolve("sys"));
        environment = TestHosts.smallLinux(sysfs);
        loader = TestHosts.linuxLoader(sysfs);
        config = Files.copy(TestHosts.repositoryFile("config/natgate.example.yaml"), directory.resolve("natgate.yaml"));
    }

    @Test
    void shouldParseEveryCommandTheDocsShow()
    {
        final List<Example> commands = DocumentedExamples.commands();
        assertTrue(commands.size() >= 50, "the documents' commands were not found: " + commands);
        final List<String> failures = new ArrayList<>();
        for (final Example example : commands)
        {
            for (final List<String> arguments : DocumentedExamples.expand(example.text(),
                name -> DocumentedExamples.placeholder(name, config, directory)))
            {
                try
                {
                    Natgate.newCommandLine(environment).parseArgs(arguments.toArray(String[]::new));
                }
                catch (final CommandLine.MissingParameterException ex)
                {
                    // prose may name a command without its required options ("`natgate run` logs ..."), not a block
                    if (example.inBlock() || arguments.stream().anyMatch(argument -> argument.startsWith("-")))
                    {
                        failures.add(example + " -> " + arguments + ": " + ex.getMessage());
                    }
                }
                catch (final CommandLine.ParameterException ex)
                {
                    failures.add(example + " -> " + arguments + ": " + ex.getMessage());
                }
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void shouldLoadEveryConfigBlockTheDocsShow() throws IOException
    {
        final List<Example> blocks = DocumentedExamples.configBlocks();
        assertTrue(blocks.size() >= 7, "the documents' config blocks were not found: " + blocks);
        final List<String> failures = new ArrayList<>();
        for (final Example block : blocks)
        {
            final Object fragment = yaml().load(block.text());
            if (!(fragment instanceof Map<?, ?> sections))
            {
                failures.add(block.where() + ": not a config (a YAML map at the top)");
                continue;
            }
            final Map<Object, Object> document = sections.containsKey("ports") ? new LinkedHashMap<>() : example();
            document.putAll(sections);
            try
            {
                loader.load(Files.writeString(directory.resolve("block.yaml"), yaml().dump(document)));
            }
            catch (final ConfigException ex)
            {
                failures.add(block.where() + ": " + ex.getMessage());
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void shouldKnowEveryConfigKeyTheDocsNameWithTheValueTheyGive() throws IOException
    {
        final List<Example> keys = DocumentedExamples.configKeys();
        assertTrue(keys.size() >= 25, "the documents' config keys were not found: " + keys);
        final List<String> failures = new ArrayList<>();
        for (final Example key : keys)
        {
            final String[] keyAndValue = key.text().split(":\\s+", 2);
            final String[] path = keyAndValue[0].split("\\.");
            final boolean valueGiven = keyAndValue.length == 2;
            final Map<Object, Object> document = example();
            put(document, path, valueGiven ? yaml().load(keyAndValue[1]) : "@not a value");
            try
            {
                loader.load(Files.writeString(directory.resolve("key.yaml"), yaml().dump(document)));
                // a key that takes any text may load with the made-up value too
            }
            catch (final ConfigException ex)
            {
                if (valueGiven || ex.getMessage().contains("unknown key"))
                {
                    failures.add(key + ": " + ex.getMessage());
                }
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void shouldLinkOnlyToFilesInTheRepository() throws IOException
    {
        final List<String> broken = new ArrayList<>();
        int links = 0;
        for (final String file : DocumentedExamples.files())
        {
            final Path document = TestHosts.repositoryFile(file);
            final java.util.regex.Matcher link = java.util.regex.Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)")
                .matcher(Files.readString(document));
            while (link.find())
            {
                final String target = link.group(1);
                if (!target.contains("://"))
                {
                    links++;
                    if (!Files.exists(document.getParent().resolve(target)))
                    {
                        broken.add(file + ": " + target);
                    }
                }
            }
        }
        assertTrue(links >= 10, links + " links");
        assertEquals(List.of(), broken);
    }

    private Map<Object, Object> example() throws IOException
    {
        @SuppressWarnings("unchecked")
        final Map<Object, Object> document = new LinkedHashMap<>((Map<Object, Object>)yaml().load(Files.readString(config)));
        return document;
    }

    @SuppressWarnings("unchecked")
    private static void put(final Map<Object, Object> document, final String[] path, final Object value)
    {
        Map<Object, Object> section = document;
        for (int i = 0; i < path.length - 1; i++)
        {
            final Object next = section.get(path[i]);
            final Map<Object, Object> child = next instanceof Map<?, ?> map ? new LinkedHashMap<>((Map<Object, Object>)map) :
                new LinkedHashMap<>();
            section.put(path[i], child);
            section = child;
        }
        section.put(path[path.length - 1], value);
    }

    private static Yaml yaml()
    {
        final DumperOptions dumper = new DumperOptions();
        dumper.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(dumper), dumper);
    }
}
