/**
 * poolkit's SSH pool: {@code SshPool} on Apache MINA SSHD. Only the API package is exported.
 */
// SshPool.withSession lends MINA's ClientSession: sshd-osgi is part of the API, so required transitively
// (an automatic module, hence the suppressed lint)
@SuppressWarnings("requires-transitive-automatic")
module io.poolkit.ssh {
    requires transitive io.poolkit;
    requires org.slf4j;
    requires transitive org.apache.sshd.osgi;
    // SFTP (SshPool.sftp, upload, download): a separate jar, no package shared with sshd-osgi
    requires org.apache.sshd.sftp;
    // ed25519 keys: MINA SSHD finds Bouncy Castle at run time; required so it is in the module graph
    requires org.bouncycastle.provider;
    requires org.bouncycastle.pkix;

    exports io.poolkit.ssh;
}
