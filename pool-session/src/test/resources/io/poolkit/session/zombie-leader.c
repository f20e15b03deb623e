/*
 * A process whose main thread exits alone while another thread runs on: /proc/PID/stat then shows
 * it as a zombie ("Z"), but its thread still runs with every descriptor the process holds. The
 * thread recreates /tmp/survivor every 2 ms, so a snippet after a reset sees whether it lived on.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *run(void *arg) {
    (void) arg;
    for (;;) {
        int fd = open("/tmp/survivor", O_WRONLY | O_CREAT, 0600);
        if (fd >= 0) {
            close(fd);
        }
        usleep(2000);
    }
    return 0;
}

int main(void) {
    pthread_t t;
    if (pthread_create(&t, 0, run, 0) != 0) {
        return 1;
    }
    syscall(SYS_exit, 0);
    return 0;
}
