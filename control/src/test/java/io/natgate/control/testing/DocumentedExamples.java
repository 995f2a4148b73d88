package io.natgate.control.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the repository's documents show a reader: every {@code natgate} command line (in shell blocks and in inline
 * code), every YAML config block, and every config key named in inline code, read from README.md, docs/*.md and
 * hw-profiles/README.md, each with the file and line it is on, so tests can run them and the documents cannot drift
 * from the code.
 */
public final class DocumentedExamples
{
    private static final Pattern INLINE_COMMAND = Pattern.compile("`(?:sudo )?(?:\\./)?(natgate [^`]*)`");
    private static final Pattern BLOCK_COMMAND = Pattern.compile("\\s*(?:sudo )?(?:\\./)?(natgate\\s.*)");
    private static final Pattern INLINE_KEY = Pattern.compile(
        "`((?:nat|journal|admin|export|firewall|providers|ports|log)(?:\\.[A-Za-z]+)+)(?::\\s*([^`]*))?`");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\b[A-Z][A-Z_]*\\b");

    /**
     * One example and where it is.
     *
     * @param inBlock true for a line of a fenced block, false for inline code in prose.
     */
    public record Example(String file, int line, String text, boolean inBlock)
    {
        public String where()
        {
            return file + ":" + line;
        }

        @Override
        public String toString()
        {
            return where() + ": " + text;
        }
    }

    private DocumentedExamples()
    {
    }

    /**
     * @return the documents, relative to the repository.
     */
    public static List<String> files()
    {
        final List<String> files = new ArrayList<>(List.of("README.md", "hw-profiles/README.md"));
        try (Stream<Path> docs = Files.list(TestHosts.repositoryFile("docs")))
        {
            docs.map(path -> "docs/" + path.getFileName()).filter(name -> name.endsWith(".md")).sorted()
                .forEach(files::add);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return files;
    }

    /**
     * @return every {@code natgate ...} command: lines of shell blocks (a trailing {@code # comment} cut) and inline
     * code spans in prose.
     */
    public static List<Example> commands()
    {
        final List<Example> commands = new ArrayList<>();
        for (final String file : files())
        {
            final List<String> lines = lines(file);
            String fence = null;
            for (int i = 0; i < lines.size(); i++)
            {
                final String line = lines.get(i);
                if (line.startsWith("```"))
                {
                    fence = fence == null ? line.substring(3).strip() : null;
                    continue;
                }
                if (fence == null)
                {
                    final Matcher inline = INLINE_COMMAND.matcher(line);
                    while (inline.find())
                    {
                        commands.add(new Example(file, i + 1, inline.group(1).strip(), false));
                    }
                }
                else if (fence.equals("sh"))
                {
                    final Matcher block = BLOCK_COMMAND.matcher(line);
                    if (block.matches())
                    {
                        commands.add(new Example(file, i + 1, block.group(1).split("\\s+#\\s")[0].strip(), true));
                    }
                }
            }
        }
        return commands;
    }

    /**
     * @return every fenced {@code yaml} block, its text as written.
     */
    public static List<Example> configBlocks()
    {
        final List<Example> blocks = new ArrayList<>();
        for (final String file : files())
        {
            final List<String> lines = lines(file);
            StringBuilder block = null;
            int start = 0;
            for (int i = 0; i < lines.size(); i++)
            {
                final String line = lines.get(i);
                if (block == null && line.strip().equals("```yaml"))
                {
                    block = new StringBuilder();
                    start = i + 2;
                }
                else if (block != null && line.startsWith("```"))
                {
                    blocks.add(new Example(file, start, block.toString(), true));
                    block = null;
                }
                else if (block != null)
                {
                    block.append(line).append('\n');
                }
            }
        }
        return blocks;
    }

    /**
     * @return every config key in inline code ({@code `nat.timeouts.udp`}), as {@code key} or {@code key: value} when
     * the text gives a value too; {@code key: {a, b}} stands for the keys {@code key.a} and {@code key.b}.
     */
    public static List<Example> configKeys()
    {
        final List<Example> keys = new ArrayList<>();
        for (final String file : files())
        {
            final List<String> lines = lines(file);
            boolean fenced = false;
            for (int i = 0; i < lines.size(); i++)
            {
                final String line = lines.get(i);
                if (line.startsWith("```"))
                {
                    fenced = !fenced;
                    continue;
                }
                final Matcher key = INLINE_KEY.matcher(line);
                while (!fenced && key.find())
                {
                    final String value = key.group(2);
                    if (value != null && value.startsWith("{") && value.endsWith("}") && !value.contains(":"))
                    {
                        for (final String part : value.substring(1, value.length() - 1).split(","))
                        {
                            keys.add(new Example(file, i + 1, key.group(1) + "." + part.strip(), false));
                        }
                    }
                    else
                    {
                        keys.add(new Example(file, i + 1, value == null ? key.group(1) :
                            key.group(1) + ": " + value.strip(), false));
                    }
                }
            }
        }
        return keys;
    }

    /**
     * Fills a documented command's placeholder with a value of its kind.
     *
     * @param configFile what {@code FILE} stands for (every {@code FILE} in the documents is a config).
     * @param directory  what {@code DIR} stands for.
     */
    public static String placeholder(final String name, final Path configFile, final Path directory)
    {
        return switch (name)
        {
            case "FILE" -> configFile.toString();
            case "DIR" -> directory.toString();
            case "NAME" -> "small-2core";
            case "TIME" -> "now";
            case "ADDR", "HOST" -> "10.0.0.2";
            case "PORT" -> "40123";
            case "ID", "N" -> "1";
            case "P" -> "udp";
            case "A" -> "198.51.100.7";
            case "G" -> "admins";
            default -> throw new AssertionError("a placeholder the documents' tests do not know: " + name);
        };
    }

    /**
     * The argument vectors a command example stands for: {@code natgate} left off, optional parts ({@code [...]})
     * included, each alternative ({@code a | b}, {@code a|b}) once, and each placeholder word in capitals
     * ({@code FILE}, {@code ADDR:PORT}) replaced by {@code placeholders}.
     */
    public static List<List<String>> expand(final String command, final UnaryOperator<String> placeholders)
    {
        final List<String> tokens = new ArrayList<>();
        for (final String token : tokenize(command))
        {
            final String plain = token.replace("[", "").replace("]", "");
            if (!plain.isEmpty())
            {
                tokens.add(plain);
            }
        }
        if (!tokens.isEmpty() && tokens.getFirst().equals("natgate"))
        {
            tokens.removeFirst();
        }
        final List<List<String>> variants = new ArrayList<>();
        alternatives(tokens, variants);
        final List<List<String>> filled = new ArrayList<>();
        for (final List<String> variant : variants)
        {
            filled.add(variant.stream().map(token -> fill(token, placeholders)).toList());
        }
        return filled;
    }

    private static String fill(final String token, final UnaryOperator<String> placeholders)
    {
        final Matcher placeholder = PLACEHOLDER.matcher(token);
        final StringBuilder filled = new StringBuilder();
        while (placeholder.find())
        {
            placeholder.appendReplacement(filled, Matcher.quoteReplacement(placeholders.apply(placeholder.group())));
        }
        placeholder.appendTail(filled);
        return filled.toString();
    }

    /**
     * Splits at the first alternative: {@code a|b} within a token, or {@code X | Y} where X and Y are a word or an
     * option with its value.
     */
    private static void alternatives(final List<String> tokens, final List<List<String>> variants)
    {
        for (int i = 0; i < tokens.size(); i++)
        {
            final String token = tokens.get(i);
            if (token.length() > 1 && token.contains("|"))
            {
                for (final String choice : token.split("\\|"))
                {
                    final List<String> variant = new ArrayList<>(tokens);
                    variant.set(i, choice);
                    alternatives(variant, variants);
                }
                return;
            }
            if (token.equals("|"))
            {
                final int leftStart = i >= 2 && tokens.get(i - 2).startsWith("-") && !tokens.get(i - 1).startsWith("-") ?
                    i - 2 : i - 1;
                final int rightEnd = i + 2 < tokens.size() && tokens.get(i + 1).startsWith("-") &&
                    !tokens.get(i + 2).startsWith("-") ? i + 3 : i + 2;
                final List<String> left = new ArrayList<>(tokens.subList(0, i));
                left.addAll(tokens.subList(rightEnd, tokens.size()));
                final List<String> right = new ArrayList<>(tokens.subList(0, leftStart));
                right.addAll(tokens.subList(i + 1, tokens.size()));
                alternatives(left, variants);
                alternatives(right, variants);
                return;
            }
        }
        variants.add(tokens);
    }

    /**
     * @return the words of a shell command line, single and double quotes grouping.
     */
    static List<String> tokenize(final String command)
    {
        final List<String> tokens = new ArrayList<>();
        final StringBuilder token = new StringBuilder();
        char quote = 0;
        boolean inToken = false;
        for (final char c : command.toCharArray())
        {
            if (quote != 0)
            {
                if (c == quote)
                {
                    quote = 0;
                }
                else
                {
                    token.append(c);
                }
            }
            else if (c == '\'' || c == '"')
            {
                quote = c;
                inToken = true;
            }
            else if (Character.isWhitespace(c))
            {
                if (inToken)
                {
                    tokens.add(token.toString());
                    token.setLength(0);
                    inToken = false;
                }
            }
            else
            {
                token.append(c);
                inToken = true;
            }
        }
        if (inToken)
        {
            tokens.add(token.toString());
        }
        return tokens;
    }

    private static List<String> lines(final String file)
    {
        try
        {
            return Files.readAllLines(TestHosts.repositoryFile(file));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
