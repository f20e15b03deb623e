package io.poolkit.session.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
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

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
