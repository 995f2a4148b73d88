package io.natgate.control.admin;

/**
 * JSON string literals for the admin endpoint's answers.
 */
public final class JsonText
{
    private JsonText()
    {
    }

    /**
     * @return {@code text} as a JSON string, quotes, backslashes and control characters escaped.
     */
    public static String quote(final String text)
    {
        final StringBuilder json = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default ->
                {
                    if (c < 0x20)
                    {
                        json.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }
}
