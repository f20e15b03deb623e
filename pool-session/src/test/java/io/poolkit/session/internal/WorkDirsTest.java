package io.poolkit.session.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class WorkDirsTest {
    @TempDir
    Path tmp;

    @Test
    void aNewRootIsOwnerOnlyOrTraversableAsAsked() throws Exception {
        assertThat(mode(WorkDirs.ensurePrivate(tmp.resolve("a")))).isEqualTo("rwx------");
        assertThat(mode(WorkDirs.ensurePrivate(tmp.resolve("b"), true))).isEqualTo("rwx--x--x");
    }

    @Test
    void anUnsandboxedSessionNeverNarrowsARootThatSandboxedSessionsPassThrough() throws Exception {
        Path root = WorkDirs.ensurePrivate(tmp.resolve("root"), true);
        WorkDirs.ensurePrivate(root, false); // an unsandboxed session starting beside sandboxed ones
        assertThat(mode(root)).as("bubblewrap, as another user, still passes through").isEqualTo("rwx--x--x");
    }

    @Test
    void anyOtherModeIsSetBack() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("open"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(mode(WorkDirs.ensurePrivate(root, false))).isEqualTo("rwx------");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(mode(WorkDirs.ensurePrivate(root, true))).isEqualTo("rwx--x--x");
    }

    /**
     * An unsandboxed worker runs in its directory (its R temporary directories too) and may nest directories
     * there as deep as the path limit allows: removing them must not need a stack that deep (it ran out at
     * 1,291 levels on a thread of 1 MiB: a StackOverflowError out of WorkerProcess.kill, the cgroup not
     * removed, the directory left), and follows no link out of it.
     */
    @Test
    @Timeout(60)
    void aDeepTreeIsRemovedWithoutFollowingLinks() throws Exception {
        Path outside = Files.writeString(Files.createDirectory(tmp.resolve("outside")).resolve("keep"), "x");
        Path dir = Files.createDirectory(tmp.resolve("s"));
        Files.createSymbolicLink(dir.resolve("link"), outside.getParent());
        Path deep = dir;
        for (int i = 0; i < 1_500; i++) {
            deep = Files.createDirectory(deep.resolve("a"));
        }
        Files.writeString(deep.resolve("f"), "x");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                WorkDirs.deleteQuietly(dir);
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "delete", 512 * 1024);
        t.start();
        t.join(50_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        assertThat(dir).doesNotExist();
        assertThat(outside).hasContent("x");
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
