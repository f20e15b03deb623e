package io.poolkit.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What a user's {@code catch} sees from {@link SftpSession} against OpenSSH's sftp-server, which says
 * little (a plain "Failure" for an existing directory or one not empty, "No such file" for a file
 * listed as a directory): the JDK's own file exceptions, as {@link java.nio.file.Files} gives them,
 * naming the path; the session still works afterwards. Names with spaces and non-ASCII characters
 * go both ways unchanged.
 */
class SftpErrorsIT extends OpenSshTestBase {

    private static String remoteDir(SshPool ssh, SshTarget t) throws Exception {
        CommandResult r = ssh.exec(t, "mktemp -d \"$HOME/poolkit-sftp-errors.XXXXXX\"", Duration.ofSeconds(10));
        assertThat(r.exitCode()).as("%s", r).isZero();
        return r.stdout().trim();
    }

    @Test
    void listingAMissingDirectoryOrAFileIsACheckedErrorNamingThePath() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd));
        SshTarget t = sshd.target();
        String dir = remoteDir(ssh, t);
        try (SftpSession sftp = ssh.sftp(t)) {
            try (var out = sftp.write(dir + "/file")) {
                out.write(1);
            }
            assertThatThrownBy(() -> sftp.list(dir + "/missing"))
                    .isInstanceOf(NoSuchFileException.class).hasMessageContaining(dir + "/missing");
            assertThatThrownBy(() -> sftp.list(dir + "/file"))
                    .isInstanceOf(NotDirectoryException.class).hasMessageContaining(dir + "/file");
            assertThat(sftp.list(dir)).extracting(RemoteFile::name).containsExactly("file");
        }
    }

    @Test
    void makingAnExistingDirectoryOrRemovingOneNotEmptySaysWhich() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd));
        SshTarget t = sshd.target();
        String dir = remoteDir(ssh, t);
        try (SftpSession sftp = ssh.sftp(t)) {
            sftp.mkdir(dir + "/sub");
            sftp.write(dir + "/sub/x").close();
            assertThatThrownBy(() -> sftp.mkdir(dir + "/sub"))
                    .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining(dir + "/sub");
            assertThatThrownBy(() -> sftp.remove(dir + "/sub"))
                    .isInstanceOf(DirectoryNotEmptyException.class).hasMessageContaining(dir + "/sub");
            sftp.remove(dir + "/sub/x");
            sftp.remove(dir + "/sub");
            assertThat(sftp.list(dir)).isEmpty();
        }
    }

    @Test
    void namesWithSpacesAndNonAsciiCharactersGoBothWaysUnchanged() throws Exception {
        OpenSsh sshd = sshd(10);
        SshPool ssh = pool(builder(sshd));
        SshTarget t = sshd.target();
        String dir = remoteDir(ssh, t);
        Path local = work.resolve("ü n ✓.txt");
        Files.writeString(local, "grüße ✓\n");
        String name = "ünï cödé ✓ $(x) 'q' \"d\".txt";
        try (SftpSession sftp = ssh.sftp(t)) {
            sftp.mkdir(dir + "/with space");
        }
        assertThat(ssh.upload(t, local, dir + "/with space/" + name).bytes()).isEqualTo(Files.size(local));
        try (SftpSession sftp = ssh.sftp(t)) {
            assertThat(sftp.list(dir + "/with space")).extracting(RemoteFile::name).containsExactly(name);
        }
        CommandResult ls = ssh.exec(t, "cd \"" + dir + "/with space\" && for f in *; do printf '%s\\n' \"$f\"; done",
                Duration.ofSeconds(10));
        assertThat(ls.stdout()).isEqualTo(name + "\n");
        Path back = work.resolve("zurück ✓.txt");
        ssh.download(t, dir + "/with space/" + name, back);
        assertThat(Files.readString(back)).isEqualTo("grüße ✓\n");
    }
}
