package io.natgate.control.cli;

/** Entry point of the natgate command line. */
public final class Natgate
{
    private Natgate()
    {
    }

    public static void main(final String[] args)
    {
        System.out.println("natgate " + Runtime.version());
    }
}
