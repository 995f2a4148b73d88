package io.natgate.control.profile;

import io.natgate.control.config.ConfigNode;
import io.natgate.datapath.pipeline.ThreadingMode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which CPUs each kind of thread may run on, from a profile's {@code pinning:} ({@code none}, or a
 * mapping of thread kind to a list of CPU ids). The threads of a kind share its CPUs, except the
 * workers when there are several: then {@code worker:} lists one CPU per worker and worker k runs on
 * the k-th ({@link #cpusOfWorker}), so each keeps its tables in its own core's cache. Recorded and
 * validated here; the threads are pinned when they start by
 * {@code io.natgate.control.gateway.PinningThreadFactory} (sched_setaffinity).
 */
public record CpuPinning(Map<ThreadKind, List<Integer>> cpus)
{
    /** No pinning: the OS schedules every thread. */
    public static final CpuPinning NONE = new CpuPinning(Map.of());

    /** The kinds of thread a profile can pin; which exist depends on the threading mode. */
    public enum ThreadKind
    {
        /** Each port's receive agent (threading: dedicated). */
        RX,
        /** Each port's transmit agent (threading: dedicated). */
        TX,
        /** The NAT workers (dedicated, shared-network); with several, one CPU each ({@link #cpusOfWorker}). */
        WORKER,
        /** The thread of every port's rx and tx agents (threading: shared-network). */
        NETWORK,
        /** The one thread of every agent (threading: shared). */
        SHARED,
        /** Control-plane threads: journal, admin endpoint (every mode). */
        CONTROL;

        public String configName()
        {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * @return the kinds of thread the mode starts.
         */
        public static Set<ThreadKind> of(final ThreadingMode mode)
        {
            return switch (mode)
            {
                case DEDICATED -> EnumSet.of(RX, TX, WORKER, CONTROL);
                case SHARED_NETWORK -> EnumSet.of(NETWORK, WORKER, CONTROL);
                case SHARED -> EnumSet.of(SHARED, CONTROL);
                case RUN_TO_COMPLETION -> EnumSet.of(WORKER, CONTROL);
                case INVOKER -> EnumSet.of(CONTROL);
            };
        }
    }

    public static final int MAX_CPU_ID = 4095;

    public CpuPinning
    {
        final Map<ThreadKind, List<Integer>> copy = new EnumMap<>(ThreadKind.class);
        cpus.forEach((thread, ids) -> copy.put(thread, List.copyOf(ids)));
        cpus = Collections.unmodifiableMap(copy);
    }

    /**
     * @return the CPUs a kind of thread is pinned to; empty when it is not pinned.
     */
    public List<Integer> cpusOf(final ThreadKind thread)
    {
        return cpus.getOrDefault(thread, List.of());
    }

    /**
     * @param worker the worker's index when there are several workers; with one, its role name carries
     * no index and its thread takes {@link #cpusOf cpusOf(WORKER)}.
     * @return the one CPU worker {@code worker} is pinned to (the k-th of the {@code worker} list), or
     * empty when the workers are not pinned or the list has no k-th (the profile check refuses that).
     */
    public List<Integer> cpusOfWorker(final int worker)
    {
        final List<Integer> listed = cpusOf(ThreadKind.WORKER);
        return worker >= 0 && worker < listed.size() ? List.of(listed.get(worker)) : List.of();
    }

    public boolean isNone()
    {
        return cpus.isEmpty();
    }

    /**
     * @return the highest CPU id named, or -1 for none.
     */
    public int highestCpu()
    {
        return cpus.values().stream().flatMap(List::stream).mapToInt(Integer::intValue).max().orElse(-1);
    }

    static CpuPinning parse(final ConfigNode node)
    {
        if (!node.isMapping())
        {
            if (node.isSequence() || !node.asText().equals("none"))
            {
                throw node.error("expected none, or a mapping of thread kind (rx, tx, worker, network, shared, " +
                    "control) to a list of CPU ids");
            }
            return NONE;
        }
        final Map<String, ThreadKind> kinds = ConfigNode.choices(ThreadKind.values(), ThreadKind::configName);
        node.keys(kinds.keySet());
        final Map<ThreadKind, List<Integer>> cpus = new EnumMap<>(ThreadKind.class);
        for (final Map.Entry<String, ThreadKind> kind : kinds.entrySet())
        {
            final ConfigNode list = node.get(kind.getKey());
            if (list == null)
            {
                continue;
            }
            final List<Integer> ids = new ArrayList<>();
            for (final ConfigNode item : list.items())
            {
                final int id = item.asInt(0, MAX_CPU_ID);
                if (ids.contains(id))
                {
                    throw item.error("CPU listed twice");
                }
                ids.add(id);
            }
            if (ids.isEmpty())
            {
                throw list.error("list at least one CPU, or leave the thread kind out");
            }
            cpus.put(kind.getValue(), ids);
        }
        return cpus.isEmpty() ? NONE : new CpuPinning(cpus);
    }

    /**
     * @return {@code none}, or e.g. {@code rx=[0] tx=[0] worker=[1]}.
     */
    @Override
    public String toString()
    {
        if (cpus.isEmpty())
        {
            return "none";
        }
        final StringBuilder text = new StringBuilder();
        cpus.forEach((thread, ids) -> text.append(text.isEmpty() ? "" : " ").append(thread.configName()).append('=')
            .append(ids.toString().replace(" ", "")));
        return text.toString();
    }
}
