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

    /** One {@code struct sock_filter}: code, jump if true, jump if false, constant. */
    private static void insn(ByteBuffer b, short code, int jt, int jf, int k) {
        if (jt > 255 || jf > 255) {
            throw new IllegalStateException("jump too far: " + jt + "/" + jf);
        }
        b.putShort(code).put((byte) jt).put((byte) jf).putInt(k);
    }
}
