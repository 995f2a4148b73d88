package io.natgate.bindings;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A native library found by trying candidate names and paths in order, and the factory of
 * its downcall handles. A binding class keeps one in a static final field and builds its
 * {@code static final MethodHandle}s from it at class initialisation; that never fails:
 * when the library or a symbol is missing the handle is a stand-in that throws
 * {@link NativeLibraryUnavailableException} with what to install, and
 * {@link #ensureAvailable()} reports the same up front.
 */
public final class NativeLibrary
{
    /**
     * All of the address space as one segment, for reading structures at raw addresses that a
     * library returns (e.g. {@code pcap_next_ex}'s out-pointers) without making a segment per call.
     */
    public static final MemorySegment ALL_MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle NEW_UNAVAILABLE;

    static
    {
        try
        {
            NEW_UNAVAILABLE = MethodHandles.lookup().findConstructor(
                NativeLibraryUnavailableException.class, MethodType.methodType(void.class, String.class));
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String displayName;
    private final SymbolLookup lookup;
    private final String unavailableMessage;

    private NativeLibrary(final String displayName, final SymbolLookup lookup, final String unavailableMessage)
    {
        this.displayName = displayName;
        this.lookup = lookup;
        this.unavailableMessage = unavailableMessage;
    }

    /**
     * Loads the first candidate that the dynamic linker accepts. A candidate containing a path
     * separator is a file path and is skipped when absent; otherwise it is a library name for
     * the platform's search path.
     *
     * @param installHint what to install, appended to the message when nothing loads.
     */
    public static NativeLibrary load(final String displayName, final String installHint, final List<String> candidates)
    {
        final List<String> failures = new ArrayList<>();
        for (final String candidate : candidates)
        {
            try
            {
                final SymbolLookup lookup;
                if (candidate.contains("/") || candidate.contains("\\"))
                {
                    final Path path = Path.of(candidate);
                    if (!Files.exists(path))
                    {
                        failures.add(candidate + " (no such file)");
                        continue;
                    }
                    lookup = SymbolLookup.libraryLookup(path, Arena.global());
                }
                else
                {
                    lookup = SymbolLookup.libraryLookup(candidate, Arena.global());
                }
                return new NativeLibrary(displayName, lookup, null);
            }
            catch (final IllegalArgumentException | UnsupportedOperationException ex)
            {
                failures.add(candidate);
            }
        }
        return unavailable(displayName,
            displayName + " not found (tried " + String.join(", ", failures) + "): " + installHint);
    }

    /**
     * The C library and whatever else the JVM's default lookup sees.
     */
    public static NativeLibrary system(final String displayName)
    {
        return new NativeLibrary(displayName, LINKER.defaultLookup(), null);
    }

    /**
     * A library that cannot be used on this platform: every handle throws {@code message}.
     */
    public static NativeLibrary unavailable(final String displayName, final String message)
    {
        return new NativeLibrary(displayName, null, message);
    }

    public String displayName()
    {
        return displayName;
    }

    public boolean isAvailable()
    {
        return lookup != null;
    }

    /**
     * @throws NativeLibraryUnavailableException saying what to install when the library did not load.
     */
    public void ensureAvailable()
    {
        if (lookup == null)
        {
            throw new NativeLibraryUnavailableException(unavailableMessage);
        }
    }

    public boolean hasSymbol(final String symbol)
    {
        return lookup != null && lookup.find(symbol).isPresent();
    }

    /**
     * @return a downcall handle bound to {@code symbol}, or a stand-in of the same type that throws
     * {@link NativeLibraryUnavailableException} when the library or the symbol is missing.
     */
    public MethodHandle downcall(final String symbol, final FunctionDescriptor descriptor, final Linker.Option... options)
    {
        final Optional<MemorySegment> address = lookup == null ? Optional.empty() : lookup.find(symbol);
        if (address.isPresent())
        {
            return LINKER.downcallHandle(address.get(), descriptor, options);
        }
        // The unbound handle's type is the bound one with a leading function address.
        final MethodType type = LINKER.downcallHandle(descriptor, options).type().dropParameterTypes(0, 1);
        final String message = lookup == null ?
            unavailableMessage :
            displayName + " has no symbol " + symbol + ": a newer version is needed";
        return throwing(type, message);
    }

    /**
     * Reads a NUL-terminated UTF-8 string at a native address.
     *
     * @return null for a NULL pointer.
     */
    public static String cString(final MemorySegment pointer)
    {
        return MemorySegment.NULL.equals(pointer) ? null : cString(pointer.address());
    }

    /**
     * Reads a NUL-terminated UTF-8 string at a native address.
     *
     * @return null for address 0.
     */
    public static String cString(final long address)
    {
        return address == 0 ? null : ALL_MEMORY.getString(address);
    }

    /**
     * Rethrows what a downcall threw: {@code invokeExact} declares {@code Throwable}, but only
     * unchecked exceptions and errors can come out of a native call or its stand-in.
     *
     * @return never; declared so that callers can write {@code throw propagate(t)}.
     */
    public static RuntimeException propagate(final Throwable t)
    {
        if (t instanceof RuntimeException ex)
        {
            throw ex;
        }
        if (t instanceof Error error)
        {
            throw error;
        }
        throw new IllegalStateException("unexpected checked exception from a native call", t);
    }

    private static MethodHandle throwing(final MethodType type, final String message)
    {
        final MethodHandle thrower = MethodHandles.throwException(type.returnType(), NativeLibraryUnavailableException.class);
        final MethodHandle withException = MethodHandles.foldArguments(
            thrower, MethodHandles.insertArguments(NEW_UNAVAILABLE, 0, message));
        return MethodHandles.dropArguments(withException, 0, type.parameterList());
    }
}
