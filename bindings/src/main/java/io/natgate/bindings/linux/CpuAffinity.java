package io.natgate.bindings.linux;

import io.natgate.bindings.NativeLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Pins the calling thread to CPUs with {@code sched_setaffinity(2)}, as the hardware profile's
 * {@code pinning:} asks for the datapath threads.
 */
public final class CpuAffinity
{
    /** The kernel's cpu_set_t holds 1024 CPUs. */
    public static final int MAX_CPUS = 1024;

    private CpuAffinity()
    {
    }

    /**
     * Restricts the calling thread to the given CPU ids.
     *
     * @throws LinuxException with the system's text (EINVAL for CPUs that are not online, EPERM, ...).
     * @throws IllegalArgumentException for no CPU or an id outside 0..1023.
     */
    public static void pinCurrentThread(final List<Integer> cpus)
    {
        if (cpus.isEmpty())
        {
            throw new IllegalArgumentException("no CPU to pin to");
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment mask = arena.allocate(MAX_CPUS / 8);
            for (final int cpu : cpus)
            {
                if (cpu < 0 || cpu >= MAX_CPUS)
                {
                    throw new IllegalArgumentException("CPU id must be 0.." + (MAX_CPUS - 1) + ": " + cpu);
                }
                final long word = mask.getAtIndex(ValueLayout.JAVA_LONG, cpu / 64);
                mask.setAtIndex(ValueLayout.JAVA_LONG, cpu / 64, word | (1L << (cpu % 64)));
            }
            final MemorySegment callState = LibC.allocateCallState(arena);
            final int result = (int)LibC.sched_setaffinity.invokeExact(callState, 0, mask.byteSize(), mask);
            if (result != 0)
            {
                throw new LinuxException("sched_setaffinity " + cpus, LibC.errno(callState));
            }
        }
        catch (final LinuxException | IllegalArgumentException ex)
        {
            throw ex;
        }
        catch (final Throwable t)
        {
            throw NativeLibrary.propagate(t);
        }
    }
}
