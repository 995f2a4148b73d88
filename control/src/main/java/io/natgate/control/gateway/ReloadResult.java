package io.natgate.control.gateway;

import io.natgate.control.admin.JsonText;

import java.util.List;

/**
 * What a config reload did: the live settings it changed, each said in a line, and the settings that differ
 * but take a restart (named by key; they keep their running values until then).
 */
public record ReloadResult(List<String> changed, List<String> needsRestart)
{
    public List<String> lines()
    {
        final java.util.ArrayList<String> lines = new java.util.ArrayList<>();
        if (changed.isEmpty())
        {
            lines.add("reload: nothing to change live");
        }
        changed.forEach(line -> lines.add("reload: " + line));
        if (!needsRestart.isEmpty())
        {
            lines.add("reload: changed but needs a restart (running values kept): " + String.join(", ", needsRestart));
        }
        return lines;
    }

    public String toJson()
    {
        return "{\"changed\":" + array(changed) + ",\"needsRestart\":" + array(needsRestart) + "}";
    }

    private static String array(final List<String> items)
    {
        final StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++)
        {
            json.append(i == 0 ? "" : ",").append(JsonText.quote(items.get(i)));
        }
        return json.append(']').toString();
    }
}
