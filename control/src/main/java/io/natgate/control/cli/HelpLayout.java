package io.natgate.control.cli;

import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.List;
import java.util.Map;

/**
 * Help that wraps text at spaces only. Picocli wraps with the JDK's line {@code BreakIterator}, which also breaks
 * after a colon or a slash, so a value such as {@code 127.0.0.1:9464} or {@code 2026-03-01T12:00:00Z} could be
 * split across two lines; here a word longer than its column is the only thing ever cut. The synopsis, the
 * description, the option list and the command list are laid out by picocli as usual, into tables that wrap
 * this way.
 */
final class HelpLayout extends Help
{
    /** Picocli's bound on the synopsis indent, as a fraction of the width. */
    private static final double MAX_SYNOPSIS_INDENT = 0.9;

    private HelpLayout(final CommandSpec command, final ColorScheme colorScheme)
    {
        super(command, colorScheme);
    }

    /**
     * @return {@code commandLine}, its help (and every subcommand's) wrapped at spaces only.
     */
    static CommandLine install(final CommandLine commandLine)
    {
        return commandLine.setHelpFactory(HelpLayout::new);
    }

    @Override
    public Layout createDefaultLayout(
        final List<OptionSpec> options, final List<PositionalParamSpec> positionals, final ColorScheme scheme)
    {
        final Layout layout = super.createDefaultLayout(options, positionals, scheme);
        return new Layout(scheme, SpaceWrappingTable.like(scheme, layout.textTable()), layout.optionRenderer(),
            layout.parameterRenderer());
    }

    @Override
    public String description(final Object... params)
    {
        final String[] description = commandSpec().usageMessage().description();
        if (description == null || description.length == 0)
        {
            return "";
        }
        final TextTable table = new SpaceWrappingTable(colorScheme(), new Column(width(), 0, Column.Overflow.WRAP));
        table.indentWrappedLines = 0;
        for (final String line : description)
        {
            for (final Text paragraph : colorScheme().text(String.format(line, params)).splitLines())
            {
                table.addRowValues(paragraph);
            }
        }
        return table.toString();
    }

    @Override
    public String commandList(final Map<String, Help> subcommands)
    {
        if (subcommands.isEmpty())
        {
            return "";
        }
        int nameLength = 0;
        for (final String name : subcommands.keySet())
        {
            nameLength = Math.max(nameLength, name.length());
        }
        nameLength = Math.min(nameLength, width() / 2);
        final TextTable table = new SpaceWrappingTable(colorScheme(),
            new Column(nameLength + 2, 2, Column.Overflow.SPAN),
            new Column(width() - (nameLength + 2), 2, Column.Overflow.WRAP));
        for (final Help help : subcommands.values())
        {
            final CommandLine.Model.UsageMessageSpec usage = help.commandSpec().usageMessage();
            final String summary = usage.header().length > 0 ? usage.header()[0] :
                usage.description().length > 0 ? usage.description()[0] : "";
            final Text[] lines = colorScheme().text(String.format(summary)).splitLines();
            for (int i = 0; i < lines.length; i++)
            {
                table.addRowValues(i == 0 ? help.commandNamesText(", ") : colorScheme().text(""), lines[i]);
            }
        }
        return table.toString();
    }

    @Override
    protected String insertSynopsisCommandName(final int headingLength, final Text details)
    {
        final String name = commandSpec().qualifiedName();
        final CommandLine.Model.UsageMessageSpec usage = commandSpec().usageMessage();
        int indent = headingLength + name.length() + 1;
        if (indent > usage.synopsisAutoIndentThreshold() * width())
        {
            indent = Math.min(usage.synopsisIndent() < 0 ? headingLength : usage.synopsisIndent(),
                (int)(MAX_SYNOPSIS_INDENT * width()));
        }
        final TextTable table = new SpaceWrappingTable(colorScheme(), new Column(width(), 0, Column.Overflow.WRAP));
        table.indentWrappedLines = indent;
        final Text padding = Help.Ansi.OFF.new Text("X".repeat(headingLength), colorScheme());
        table.addRowValues(padding.concat(colorScheme().commandText(name)).concat(details));
        return table.toString().substring(headingLength); // the heading is printed before it
    }

    private int width()
    {
        return commandSpec().usageMessage().width();
    }

    /**
     * A table whose wrapping columns break lines at spaces only; picocli still writes each line, which fits.
     */
    static final class SpaceWrappingTable extends TextTable
    {
        private final ColorScheme colorScheme;

        SpaceWrappingTable(final ColorScheme colorScheme, final Column... columns)
        {
            super(colorScheme, columns);
            this.colorScheme = colorScheme;
        }

        static SpaceWrappingTable like(final ColorScheme colorScheme, final TextTable table)
        {
            final SpaceWrappingTable copy = new SpaceWrappingTable(colorScheme, table.columns());
            copy.indentWrappedLines = table.indentWrappedLines;
            return copy;
        }

        @Override
        public Cell putValue(final int row, final int col, final Text value)
        {
            final Column column = columns()[col];
            if (column.overflow != Column.Overflow.WRAP || value == null)
            {
                return super.putValue(row, col, value);
            }
            final String plain = value.plainString();
            int line = row;
            int indent = column.indent;
            int start = 0;
            while (true)
            {
                final int room = Math.max(1, column.width - indent);
                int end = Math.min(plain.length(), start + room);
                if (end < plain.length())
                {
                    final int space = plain.lastIndexOf(' ', end);
                    end = space > start ? space : end; // a word longer than the column is cut
                }
                final Text piece = value.substring(start, end);
                super.putValue(line, col, indent == column.indent ? piece :
                    Help.Ansi.OFF.new Text(" ".repeat(indent - column.indent), colorScheme).concat(piece));
                start = end;
                while (start < plain.length() && plain.charAt(start) == ' ')
                {
                    start++;
                }
                if (start >= plain.length())
                {
                    return new Cell(col, line);
                }
                addEmptyRow();
                line++;
                indent = column.indent + indentWrappedLines;
            }
        }
    }
}
