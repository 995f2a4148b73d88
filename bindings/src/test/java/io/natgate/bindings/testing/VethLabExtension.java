package io.natgate.bindings.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class one {@link VethLab} for all its tests, deleted after the last one even when
 * tests fail:
 * {@code @RegisterExtension static final VethLabExtension LAB = new VethLabExtension();}
 */
public final class VethLabExtension implements BeforeAllCallback, AfterAllCallback
{
    private VethLab lab;

    @Override
    public void beforeAll(final ExtensionContext context)
    {
        lab = VethLab.create();
    }

    @Override
    public void afterAll(final ExtensionContext context)
    {
        if (lab != null)
        {
            lab.close();
            lab = null;
        }
    }

    public VethLab lab()
    {
        if (lab == null)
        {
            throw new IllegalStateException("the veth lab exists only while the test class runs");
        }
        return lab;
    }
}
