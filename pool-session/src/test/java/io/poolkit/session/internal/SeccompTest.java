package io.poolkit.session.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The seccomp programs, run on a small classic-BPF interpreter (the few instructions they use):
 * what each refuses and lets through, by syscall number and argument, without a kernel.
 */
class SeccompTest {
    private static final int X86_64 = 0xC000003E;
    private static final int AARCH64 = 0xC00000B7;
    private static final int ALLOW = 0x7fff0000;
    private static final int EPERM = 0x00050001;

    /** Runs {@code program} on one syscall: its architecture, number and the low 32 bits of its first two arguments. */
    static int run(byte[] program, int arch, int nr, long arg0, long arg1) {
        ByteBuffer p = ByteBuffer.wrap(program).order(ByteOrder.nativeOrder());
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(0, nr).putInt(4, arch).putLong(16, arg0).putLong(24, arg1);
        int acc = 0;
        int pc = 0;
        for (int steps = 0; steps < 4096; steps++) {
            int at = pc * 8;
            short code = p.getShort(at);
            int jt = p.get(at + 2) & 0xff;
            int jf = p.get(at + 3) & 0xff;
            int k = p.getInt(at + 4);
            switch (code) {
                case 0x20 -> { // ld [k]
                    acc = data.getInt(k);
                    pc++;
                }
                case 0x15 -> pc += 1 + (acc == k ? jt : jf); // jeq
                case 0x35 -> pc += 1 + (Integer.compareUnsigned(acc, k) >= 0 ? jt : jf); // jge
                case 0x06 -> {
                    return k; // ret
                }
                default -> throw new AssertionError("an instruction the interpreter does not know: " + code);
            }
        }
        throw new AssertionError("no return");
    }

    @Test
    void theSupervisorGuardRefusesSignalsToTheSupervisorAndInitOnly() {
        byte[] g = Seccomp.supervisorGuard("amd64");
        int kill = 62;
        for (long target : new long[] {0, 1, 2, -1, -2}) {
            assertThat(run(g, X86_64, kill, target, 9)).as("kill(%d)", target).isEqualTo(EPERM);
        }
        assertThat(run(g, X86_64, kill, 57, 9)).as("kill of another process").isEqualTo(ALLOW);
        assertThat(run(g, X86_64, kill, -57, 9)).as("kill of another group").isEqualTo(ALLOW);
        assertThat(run(g, X86_64, 234, 2, 2)).as("tgkill(2, 2)").isEqualTo(EPERM);
        assertThat(run(g, X86_64, 200, 2, 9)).as("tkill(2)").isEqualTo(EPERM);
        assertThat(run(g, X86_64, 434, 1, 0)).as("pidfd_open(1)").isEqualTo(EPERM);
        assertThat(run(g, X86_64, 424, 5, 9)).as("pidfd_send_signal, whatever the descriptor").isEqualTo(EPERM);
        assertThat(run(g, X86_64, 302, 2, 0)).as("prlimit64(2)").isEqualTo(EPERM);
        assertThat(run(g, X86_64, 302, 0, 9)).as("prlimit64 on itself").isEqualTo(ALLOW);
        assertThat(run(g, X86_64, 203, 2, 8)).as("sched_setaffinity(2)").isEqualTo(EPERM);
        assertThat(run(g, X86_64, 144, 1, 5)).as("sched_setscheduler(1)").isEqualTo(EPERM);
        assertThat(run(g, X86_64, 203, 0, 8)).as("sched_setaffinity on itself").isEqualTo(ALLOW);
        assertThat(run(g, X86_64, 141, 0, 2)).as("setpriority(PRIO_PROCESS, 2)").isEqualTo(EPERM);
        assertThat(run(g, X86_64, 141, 0, 0)).as("setpriority on itself (nice)").isEqualTo(ALLOW);
        assertThat(run(g, X86_64, 141, 2, 0)).as("setpriority(PRIO_USER)").isEqualTo(EPERM);
        assertThat(run(g, X86_64, 251, 1, 2)).as("ioprio_set(IOPRIO_WHO_PROCESS, 2)").isEqualTo(EPERM);
        assertThat(run(g, X86_64, 251, 1, 0)).as("ioprio_set on itself").isEqualTo(ALLOW);
        assertThat(run(g, X86_64, 251, 2, 0)).as("ioprio_set on a group").isEqualTo(EPERM);
        assertThat(run(g, X86_64, 72, 3, 8)).as("fcntl F_SETOWN").isEqualTo(EPERM);
        assertThat(run(g, X86_64, 72, 3, 15)).as("fcntl F_SETOWN_EX").isEqualTo(EPERM);
        assertThat(run(g, X86_64, 72, 3, 3)).as("fcntl F_GETFL").isEqualTo(ALLOW);
        assertThat(run(g, X86_64, 16, 3, 0x8901)).as("ioctl FIOSETOWN").isEqualTo(EPERM);
        assertThat(run(g, X86_64, 16, 3, 0x8902)).as("ioctl SIOCSPGRP").isEqualTo(EPERM);
        assertThat(run(g, X86_64, 16, 3, 0x5401)).as("ioctl TCGETS").isEqualTo(ALLOW);
        assertThat(run(g, X86_64, 101, 0, 0)).as("ptrace, as the sandbox's own filter").isEqualTo(EPERM);
        assertThat(run(g, X86_64, 0, 0, 0)).as("read").isEqualTo(ALLOW);
        assertThat(run(g, X86_64, 0x40000000, 0, 0)).as("the x32 ABI").isEqualTo(EPERM);
        assertThat(run(g, 0x40000003, kill, 57, 9)).as("another architecture").isEqualTo(EPERM);
    }

    @Test
    void theSupervisorGuardKnowsAarch64Numbers() {
        byte[] g = Seccomp.supervisorGuard("aarch64");
        assertThat(run(g, AARCH64, 129, 2, 9)).as("kill(2)").isEqualTo(EPERM);
        assertThat(run(g, AARCH64, 129, 57, 9)).isEqualTo(ALLOW);
        assertThat(run(g, AARCH64, 25, 3, 8)).as("fcntl F_SETOWN").isEqualTo(EPERM);
        assertThat(run(g, AARCH64, 261, 1, 0)).as("prlimit64(1)").isEqualTo(EPERM);
        assertThat(run(g, AARCH64, 122, 2, 0)).as("sched_setaffinity(2)").isEqualTo(EPERM);
        assertThat(run(g, AARCH64, 140, 0, 2)).as("setpriority(PRIO_PROCESS, 2)").isEqualTo(EPERM);
        assertThat(run(g, AARCH64, 30, 1, 1)).as("ioprio_set(IOPRIO_WHO_PROCESS, 1)").isEqualTo(EPERM);
        assertThat(run(g, AARCH64, 63, 0, 0)).as("read").isEqualTo(ALLOW);
    }

    @Test
    void theSandboxFilterLetsSignalsThroughAsBefore() {
        byte[] f = Seccomp.filter("amd64");
        assertThat(run(f, X86_64, 62, 2, 9)).as("kill(2): only the guard refuses it").isEqualTo(ALLOW);
        assertThat(run(f, X86_64, 101, 0, 0)).as("ptrace").isEqualTo(EPERM);
    }
}
