package io.poolkit.session.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The seccomp filter of a sandboxed worker, a classic BPF program written here in Java (no native
 * build step) and handed to bubblewrap ({@code --seccomp FD}), which installs it on the worker's
 * process tree before the worker starts. It denies, with {@code EPERM}, what a snippet never needs
 * and an attacker would: debugging and reading other processes ({@code ptrace},
 * {@code process_vm_readv/writev}, {@code process_madvise}, {@code pidfd_getfd}, which would take the
 * worker's socket), io_uring, the key ring ({@code keyctl}, {@code add_key}, {@code request_key}),
 * {@code bpf}, {@code perf_event_open}, {@code userfaultfd} (a kernel exploit's favourite), the mount
 * family, {@code unshare} and {@code setns}, {@code kexec_load/kexec_file_load}, file handles
 * ({@code open_by_handle_at}, {@code name_to_handle_at}), {@code personality}, and System V IPC
 * and POSIX message queues (shared memory, semaphores and queues outlive their process: one execution
 * could leave one for the next, even across a reset).
 *
 * <p>{@code EPERM} rather than a kill: the JVM and glibc probe for features and carry on when told
 * no. Before the syscall number is read the filter checks the architecture word, so a 32-bit
 * syscall (x86's {@code int 0x80}, arm64's compat mode) cannot reach the same call under another
 * number: every syscall of another architecture is denied, and so is the whole x32 ABI on x86_64
 * (numbers with bit 30 set).
 */
final class Seccomp {
    private static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    private static final int AUDIT_ARCH_AARCH64 = 0xC00000B7;
    private static final int X32_SYSCALL_BIT = 0x40000000;

    private static final short LD_W_ABS = 0x20;
    private static final short JEQ_K = 0x15;
    private static final short JGE_K = 0x35;
    private static final short RET_K = 0x06;
    private static final int RET_ALLOW = 0x7fff0000;
    private static final int RET_EPERM = 0x00050000 | 1;
    private static final int OFFSET_NR = 0;
    private static final int OFFSET_ARCH = 4;

    /** The denied syscalls: name, then the number on x86_64 and on aarch64 (asm-generic). */
    static final Map<String, int[]> DENIED = denied();

    private Seccomp() {
    }

    private static Map<String, int[]> denied() {
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("ptrace", new int[] {101, 117});
        m.put("process_vm_readv", new int[] {310, 270});
        m.put("process_vm_writev", new int[] {311, 271});
        m.put("process_madvise", new int[] {440, 440});
        m.put("pidfd_getfd", new int[] {438, 438});
        m.put("io_uring_setup", new int[] {425, 425});
        m.put("io_uring_enter", new int[] {426, 426});
        m.put("io_uring_register", new int[] {427, 427});
        m.put("keyctl", new int[] {250, 219});
        m.put("add_key", new int[] {248, 217});
        m.put("request_key", new int[] {249, 218});
        m.put("bpf", new int[] {321, 280});
        m.put("perf_event_open", new int[] {298, 241});
        m.put("userfaultfd", new int[] {323, 282});
        m.put("mount", new int[] {165, 40});
        m.put("umount2", new int[] {166, 39});
        m.put("pivot_root", new int[] {155, 41});
        m.put("fsopen", new int[] {430, 430});
        m.put("fsconfig", new int[] {431, 431});
        m.put("fsmount", new int[] {432, 432});
        m.put("fspick", new int[] {433, 433});
        m.put("move_mount", new int[] {429, 429});
        m.put("open_tree", new int[] {428, 428});
        m.put("mount_setattr", new int[] {442, 442});
        m.put("unshare", new int[] {272, 97});
        m.put("setns", new int[] {308, 268});
        m.put("kexec_load", new int[] {246, 104});
        m.put("kexec_file_load", new int[] {320, 294});
        m.put("open_by_handle_at", new int[] {304, 265});
        m.put("name_to_handle_at", new int[] {303, 264});
        m.put("personality", new int[] {135, 92});
        // System V IPC and POSIX message queues: objects that outlive the process that made them, so a
        // snippet could leave one for the next execution after a reset (issue 17); no worker needs them
        m.put("shmget", new int[] {29, 194});
        m.put("shmat", new int[] {30, 196});
        m.put("shmctl", new int[] {31, 195});
        m.put("shmdt", new int[] {67, 197});
        m.put("semget", new int[] {64, 190});
        m.put("semop", new int[] {65, 193});
        m.put("semctl", new int[] {66, 191});
        m.put("semtimedop", new int[] {220, 192});
        m.put("msgget", new int[] {68, 186});
        m.put("msgsnd", new int[] {69, 189});
        m.put("msgrcv", new int[] {70, 188});
        m.put("msgctl", new int[] {71, 187});
        m.put("mq_open", new int[] {240, 180});
        m.put("mq_unlink", new int[] {241, 181});
        m.put("mq_timedsend", new int[] {242, 182});
        m.put("mq_timedreceive", new int[] {243, 183});
        m.put("mq_notify", new int[] {244, 184});
        m.put("mq_getsetattr", new int[] {245, 185});
        return m;
    }

    /** @return the architectures this filter knows, as {@code os.arch} names them */
    static List<String> supported() {
        return List.of("amd64", "x86_64", "aarch64");
    }

    /**
     * @param osArch the architecture, as {@code os.arch} names it
     * @return the filter, ready for bubblewrap's {@code --seccomp}
     * @throws IllegalArgumentException for an architecture it has no syscall numbers for
     */
    static byte[] filter(String osArch) {
        String a = osArch.toLowerCase(Locale.ROOT);
        boolean x86 = a.equals("amd64") || a.equals("x86_64");
        if (!x86 && !a.equals("aarch64")) {
            throw new IllegalArgumentException("the sandbox's seccomp filter knows x86_64 and aarch64, but this is " + osArch);
        }
        int column = x86 ? 0 : 1;
        int n = DENIED.size();
        ByteBuffer b = ByteBuffer.allocate((5 + (x86 ? 1 : 0) + n + 2) * 8).order(ByteOrder.nativeOrder());
        insn(b, LD_W_ABS, 0, 0, OFFSET_ARCH);
        insn(b, JEQ_K, 1, 0, x86 ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_AARCH64);
        insn(b, RET_K, 0, 0, RET_EPERM); // another architecture's syscall: its numbers mean other calls
        insn(b, LD_W_ABS, 0, 0, OFFSET_NR);
        int left = n + 1; // instructions from the next one to the ALLOW: the DENY follows it
        if (x86) {
            insn(b, JGE_K, left, 0, X32_SYSCALL_BIT);
        }
        for (int[] nr : DENIED.values()) {
            left--;
            insn(b, JEQ_K, left, 0, nr[column]);
        }
        insn(b, RET_K, 0, 0, RET_ALLOW);
        insn(b, RET_K, 0, 0, RET_EPERM);
        b.flip();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** Syscalls that signal a process named by their first argument: kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_open. */
    private static final int[][] SIGNALLING = {{62, 129}, {200, 130}, {234, 131}, {129, 138}, {297, 240}, {434, 434}};
    private static final int[] PIDFD_SEND_SIGNAL = {424, 424};
    private static final int[] PRLIMIT64 = {302, 261};
    /** Scheduling set on a process named by the first argument: sched_setaffinity, sched_setscheduler, sched_setparam, sched_setattr. */
    private static final int[][] SCHEDULING = {{203, 122}, {144, 119}, {142, 118}, {314, 274}};
    private static final int[] SETPRIORITY = {141, 140};
    private static final int[] IOPRIO_SET = {251, 30};
    private static final int PRIO_PROCESS = 0;
    private static final int IOPRIO_WHO_PROCESS = 1;
    private static final int[] FCNTL = {72, 25};
    private static final int[] IOCTL = {16, 29};
    private static final int F_SETOWN = 8;
    private static final int F_SETOWN_EX = 15;
    private static final int FIOSETOWN = 0x8901;
    private static final int SIOCSPGRP = 0x8902;
    private static final int OFFSET_ARG0 = 16; // the low 32 bits of args[0] (both architectures are little-endian)
    private static final int OFFSET_ARG1 = 24;
    /** Targets that reach the supervisor or init: the caller's own group (0), init (1), the supervisor (2), every process (-1), the supervisor's group (-2). */
    private static final int[] GUARDED_TARGETS = {0, 1, 2, -1, -2};

    /**
     * {@link #filter} plus a guard of the worker's supervisor, for every process of the sandbox: the
     * supervisor is the sandbox's first process (pid 2, in its own session and process group, under
     * bubblewrap's init, pid 1) and its evaluator cannot be given a filter of its own (an R worker:
     * R has no FFI). Refused with {@code EPERM}: {@code kill}, {@code tkill}, {@code tgkill},
     * {@code rt_sigqueueinfo}, {@code rt_tgsigqueueinfo} and {@code pidfd_open} aimed at pid 0 (the
     * caller's group, which may be the supervisor's), 1, 2, -1 (every process) or -2 (the
     * supervisor's group); {@code pidfd_send_signal} always; {@code prlimit64} on pid 1 or 2 (a CPU
     * limit would end the supervisor); {@code sched_setaffinity}, {@code sched_setscheduler},
     * {@code sched_setparam} and {@code sched_setattr} on pid 1 or 2, {@code setpriority} and
     * {@code ioprio_set} on pid 1 or 2 and on any group or user (a nice of 19, one CPU or
     * SCHED_IDLE set on the supervisor outlive every reset and slow or starve every later caller); {@code fcntl} {@code F_SETOWN}/{@code F_SETOWN_EX} and
     * {@code ioctl} {@code FIOSETOWN}/{@code SIOCSPGRP}, which make a process the target of a
     * descriptor's I/O signal (any signal {@code F_SETSIG} picks, {@code SIGKILL} too). The
     * supervisor itself kills the others one pid at a time, never with -1.
     *
     * @throws IllegalArgumentException for an architecture it has no syscall numbers for
     */
    static byte[] supervisorGuard(String osArch) {
        String a = osArch.toLowerCase(Locale.ROOT);
        boolean x86 = a.equals("amd64") || a.equals("x86_64");
        if (!x86 && !a.equals("aarch64")) {
            throw new IllegalArgumentException("the sandbox's seccomp filter knows x86_64 and aarch64, but this is " + osArch);
        }
        int col = x86 ? 0 : 1;
        Asm p = new Asm();
        p.add(LD_W_ABS, 0, 0, OFFSET_ARCH);
        p.jump(JEQ_K, x86 ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_AARCH64, null, "deny");
        p.add(LD_W_ABS, 0, 0, OFFSET_NR);
        if (x86) {
            p.jump(JGE_K, X32_SYSCALL_BIT, "deny", null);
        }
        for (int[] nr : DENIED.values()) {
            p.jump(JEQ_K, nr[col], "deny", null);
        }
        p.jump(JEQ_K, PIDFD_SEND_SIGNAL[col], "deny", null);
        for (int[] nr : SIGNALLING) {
            p.jump(JEQ_K, nr[col], "target", null);
        }
        p.jump(JEQ_K, PRLIMIT64[col], "prlimit", null);
        for (int[] nr : SCHEDULING) {
            p.jump(JEQ_K, nr[col], "prlimit", null);
        }
        p.jump(JEQ_K, SETPRIORITY[col], "priority", null);
        p.jump(JEQ_K, IOPRIO_SET[col], "ioprio", null);
        p.jump(JEQ_K, FCNTL[col], "fcntl", null);
        p.jump(JEQ_K, IOCTL[col], "ioctl", null);
        p.add(RET_K, 0, 0, RET_ALLOW);
        p.label("fcntl");
        p.add(LD_W_ABS, 0, 0, OFFSET_ARG1);
        p.jump(JEQ_K, F_SETOWN, "deny", null);
        p.jump(JEQ_K, F_SETOWN_EX, "deny", null);
        p.add(RET_K, 0, 0, RET_ALLOW);
        p.label("ioctl");
        p.add(LD_W_ABS, 0, 0, OFFSET_ARG1);
        p.jump(JEQ_K, FIOSETOWN, "deny", null);
        p.jump(JEQ_K, SIOCSPGRP, "deny", null);
        p.add(RET_K, 0, 0, RET_ALLOW);
        p.label("priority");
        p.add(LD_W_ABS, 0, 0, OFFSET_ARG0); // which: only a process may be named, never a group or a user
        p.jump(JEQ_K, PRIO_PROCESS, "who", "deny");
        p.label("ioprio");
        p.add(LD_W_ABS, 0, 0, OFFSET_ARG0);
        p.jump(JEQ_K, IOPRIO_WHO_PROCESS, "who", "deny");
        p.label("who");
        p.add(LD_W_ABS, 0, 0, OFFSET_ARG1);
        p.jump(JEQ_K, 1, "deny", null);
        p.jump(JEQ_K, 2, "deny", null);
        p.add(RET_K, 0, 0, RET_ALLOW);
        p.label("prlimit");
        p.add(LD_W_ABS, 0, 0, OFFSET_ARG0);
        p.jump(JEQ_K, 1, "deny", null);
        p.jump(JEQ_K, 2, "deny", null);
        p.add(RET_K, 0, 0, RET_ALLOW);
        p.label("target");
        p.add(LD_W_ABS, 0, 0, OFFSET_ARG0);
        for (int t : GUARDED_TARGETS) {
            p.jump(JEQ_K, t, "deny", null);
        }
        p.add(RET_K, 0, 0, RET_ALLOW);
        p.label("deny");
        p.add(RET_K, 0, 0, RET_EPERM);
        return p.assemble();
    }

    /** A classic BPF program with forward jumps to labels, resolved when assembled. */
    private static final class Asm {
        private final java.util.List<Object[]> insns = new java.util.ArrayList<>(); // code, jt, jf, k (a label or an offset)
        private final Map<String, Integer> labels = new java.util.HashMap<>();

        void add(short code, int jt, int jf, int k) {
            insns.add(new Object[] {code, jt, jf, k});
        }

        /** A conditional jump: to {@code whenTrue} / {@code whenFalse}, or to the next instruction when null. */
        void jump(short code, int k, String whenTrue, String whenFalse) {
            insns.add(new Object[] {code, whenTrue == null ? 0 : whenTrue, whenFalse == null ? 0 : whenFalse, k});
        }

        void label(String name) {
            labels.put(name, insns.size());
        }

        byte[] assemble() {
            ByteBuffer b = ByteBuffer.allocate(insns.size() * 8).order(ByteOrder.nativeOrder());
            for (int i = 0; i < insns.size(); i++) {
                Object[] in = insns.get(i);
                insn(b, (Short) in[0], offset(in[1], i), offset(in[2], i), (Integer) in[3]);
            }
            return b.array();
        }

        private int offset(Object target, int at) {
            return target instanceof String s ? labels.get(s) - at - 1 : (Integer) target;
        }
    }

    /** One {@code struct sock_filter}: code, jump if true, jump if false, constant. */
    private static void insn(ByteBuffer b, short code, int jt, int jf, int k) {
        if (jt > 255 || jf > 255) {
            throw new IllegalStateException("jump too far: " + jt + "/" + jf);
        }
        b.putShort(code).put((byte) jt).put((byte) jf).putInt(k);
    }
}
