package io.natgate.control.profile;

import io.natgate.control.testing.TestHosts;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * hw-profiles/README.md tables every key with what it trades off, and each profile file comments
 * every key it sets.
 */
class ProfileDocumentationTest
{
    @Test
    void shouldTableEveryKeyWithItsTradeOff() throws IOException
    {
        final String readme = Files.readString(TestHosts.repositoryFile("hw-profiles/README.md"));
        for (final ProfileKey key : ProfileKey.values())
        {
            assertTrue(readme.contains("| `" + key.path() + "` | " + key.format(key.defaultValue()) + " |"),
                key.path() + " missing from the README's table");
            assertTrue(readme.contains(key.tradeOff()), key.path() + "'s trade-off differs in the README");
        }
    }

    @Test
    void shouldCommentEveryKeyAProfileSets() throws IOException
    {
        for (final String name : HardwareProfiles.builtin().names())
        {
            final String text = Files.readString(TestHosts.repositoryFile("hw-profiles/" + name + ".yaml"));
            boolean inDetect = false;
            String previous = "";
            for (final String line : text.lines().toList())
            {
                inDetect = line.startsWith("detect:") || (inDetect && line.startsWith(" "));
                final boolean uncommented = line.matches("\\s*\\w+: [^#]+$") && !previous.trim().startsWith("#");
                assertTrue(inDetect || line.startsWith("description:") || !uncommented,
                    name + ".yaml sets a key without saying what it trades off: " + line);
                previous = line;
            }
        }
    }
}
