/*
 * Run inside the sandbox by SandboxTest: tries the syscalls the seccomp filter denies and prints
 * "name=0" (it worked) or "name=ERRNO" for each. Compiled by the test with the host's gcc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/personality.h>
#include <unistd.h>

static void report(const char *name, long rc) {
    printf("%s=%d\n", name, rc < 0 ? errno : 0);
}

int main(void) {
    unsigned char params[120];
    memset(params, 0, sizeof params);
    report("ptrace", ptrace(PTRACE_TRACEME, 0, 0, 0));
    report("io_uring_setup", syscall(SYS_io_uring_setup, 4, params));
    report("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session keyring */, 1));
    report("add_key", syscall(SYS_add_key, "user", "poolkit", "x", 1, -3));
    report("bpf", syscall(SYS_bpf, 0, NULL, 0));
    report("userfaultfd", syscall(SYS_userfaultfd, 0));
    report("unshare", syscall(SYS_unshare, 0));
    report("personality", syscall(SYS_personality, 0xffffffff));
    report("getpid", syscall(SYS_getpid));
    fflush(stdout);
    return 0;
}
