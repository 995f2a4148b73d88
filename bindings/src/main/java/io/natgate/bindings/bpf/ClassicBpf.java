package io.natgate.bindings.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Classic BPF from {@code linux/filter.h} and {@code linux/bpf_common.h}: the instruction codes, the
 * kernel's negative-offset extensions, and {@code struct sock_filter}/{@code struct sock_fprog} as memory
 * layouts. A program is a {@code long[]} of one instruction each, packed by {@link #stmt} and
 * {@link #jump} as {@code code << 48 | jt << 40 | jf << 32 | k}, and laid out for the kernel by
 * {@link #program(Arena, long[])}.
 * <p>
 * The machine: a 32-bit accumulator A, an index register X and 16 scratch words; ALU steps are 32-bit
 * unsigned and wrap; jumps go forward only, {@code jt}/{@code jf} instructions past the next; a load past
 * the packet's end ends the program returning 0.
 */
public final class ClassicBpf
{
    /** BPF_MAXINSNS: the most instructions the kernel accepts in one program. */
    public static final int MAX_INSTRUCTIONS = 4096;

    // Classes.
    public static final int BPF_LD = 0x00;
    public static final int BPF_LDX = 0x01;
    public static final int BPF_ST = 0x02;
    public static final int BPF_STX = 0x03;
    public static final int BPF_ALU = 0x04;
    public static final int BPF_JMP = 0x05;
    public static final int BPF_RET = 0x06;
    public static final int BPF_MISC = 0x07;

    // Load sizes.
    public static final int BPF_W = 0x00;
    public static final int BPF_H = 0x08;
    public static final int BPF_B = 0x10;

    // Load modes.
    public static final int BPF_IMM = 0x00;
    public static final int BPF_ABS = 0x20;
    public static final int BPF_IND = 0x40;
    public static final int BPF_MEM = 0x60;
    public static final int BPF_LEN = 0x80;
    /** With BPF_LDX|BPF_B: {@code X = 4 * (P[k] & 0xf)}, an IPv4 header's length. */
    public static final int BPF_MSH = 0xa0;

    // ALU operations.
    public static final int BPF_ADD = 0x00;
    public static final int BPF_SUB = 0x10;
    public static final int BPF_MUL = 0x20;
    public static final int BPF_DIV = 0x30;
    public static final int BPF_OR = 0x40;
    public static final int BPF_AND = 0x50;
    public static final int BPF_LSH = 0x60;
    public static final int BPF_RSH = 0x70;
    public static final int BPF_NEG = 0x80;
    public static final int BPF_MOD = 0x90;
    public static final int BPF_XOR = 0xa0;

    // Jumps.
    public static final int BPF_JA = 0x00;
    public static final int BPF_JEQ = 0x10;
    public static final int BPF_JGT = 0x20;
    public static final int BPF_JGE = 0x30;
    public static final int BPF_JSET = 0x40;

    // Operand sources.
    public static final int BPF_K = 0x00;
    public static final int BPF_X = 0x08;
    /** With BPF_RET: return A. */
    public static final int BPF_A = 0x10;

    // BPF_MISC operations.
    /** X = A. */
    public static final int BPF_TAX = 0x00;
    /** A = X. */
    public static final int BPF_TXA = 0x80;

    /** Loads at {@code SKF_AD_OFF + SKF_AD_x} read socket-buffer metadata instead of packet bytes. */
    public static final int SKF_AD_OFF = -0x1000;
    /** skb->protocol in host order: the ethertype, 0x0800 for IPv4 (after a VLAN tag was taken off). */
    public static final int SKF_AD_PROTOCOL = 0;
    /** Loads at {@code SKF_NET_OFF + n} read byte n of the network (IP) header, wherever skb->data points. */
    public static final int SKF_NET_OFF = -0x100000;
    /** Loads at {@code SKF_LL_OFF + n} read byte n of the link-layer (Ethernet) header. */
    public static final int SKF_LL_OFF = -0x200000;

    /** struct sock_filter. */
    public static final StructLayout SOCK_FILTER = MemoryLayout.structLayout(
        JAVA_SHORT.withName("code"),
        JAVA_BYTE.withName("jt"),
        JAVA_BYTE.withName("jf"),
        JAVA_INT.withName("k"));

    /** struct sock_fprog. */
    public static final StructLayout SOCK_FPROG = MemoryLayout.structLayout(
        JAVA_SHORT.withName("len"),
        MemoryLayout.paddingLayout(ADDRESS.byteSize() - JAVA_SHORT.byteSize()),
        ADDRESS.withName("filter"));

    private ClassicBpf()
    {
    }

    /**
     * @return the instruction {@code code k} with no jump targets, e.g. {@code stmt(BPF_RET | BPF_K, 0)}.
     */
    public static long stmt(final int code, final int k)
    {
        return jump(code, k, 0, 0);
    }

    /**
     * @return the instruction {@code code k}: when its condition holds it skips {@code jt} instructions,
     * else {@code jf} (each 0..255).
     */
    public static long jump(final int code, final int k, final int jt, final int jf)
    {
        if ((code & ~0xFFFF) != 0 || (jt & ~0xFF) != 0 || (jf & ~0xFF) != 0)
        {
            throw new IllegalArgumentException("instruction out of range: code=" + code + ", jt=" + jt + ", jf=" + jf);
        }
        return (long)code << 48 | (long)jt << 40 | (long)jf << 32 | (k & 0xFFFF_FFFFL);
    }

    public static int code(final long instruction)
    {
        return (int)(instruction >>> 48) & 0xFFFF;
    }

    public static int jt(final long instruction)
    {
        return (int)(instruction >>> 40) & 0xFF;
    }

    public static int jf(final long instruction)
    {
        return (int)(instruction >>> 32) & 0xFF;
    }

    public static int k(final long instruction)
    {
        return (int)instruction;
    }

    /**
     * Lays a program out as the kernel reads it: an array of struct sock_filter in native order and a
     * struct sock_fprog pointing at it, both in {@code arena}.
     *
     * @return the sock_fprog, to pass to setsockopt.
     */
    public static MemorySegment program(final Arena arena, final long[] program)
    {
        if (program.length < 1 || program.length > MAX_INSTRUCTIONS)
        {
            throw new IllegalArgumentException("a classic BPF program has 1.." + MAX_INSTRUCTIONS +
                " instructions: " + program.length);
        }
        final long size = SOCK_FILTER.byteSize();
        final MemorySegment filters = arena.allocate(SOCK_FILTER, program.length);
        for (int i = 0; i < program.length; i++)
        {
            final long instruction = program[i];
            final long at = i * size;
            filters.set(JAVA_SHORT, at, (short)code(instruction));
            filters.set(JAVA_BYTE, at + 2, (byte)jt(instruction));
            filters.set(JAVA_BYTE, at + 3, (byte)jf(instruction));
            filters.set(JAVA_INT, at + 4, k(instruction));
        }
        final MemorySegment fprog = arena.allocate(SOCK_FPROG);
        fprog.set(JAVA_SHORT, 0, (short)program.length);
        fprog.set(ADDRESS, SOCK_FPROG.byteOffset(MemoryLayout.PathElement.groupElement("filter")), filters);
        return fprog;
    }
}
