/**
 * poolkit's SSH pool: {@code SshPool} on Apache MINA SSHD. Only the API package is exported.
 */
module io.poolkit.ssh {
    requires transitive io.poolkit;
    requires org.slf4j;
    requires org.apache.sshd.osgi;
    // ed25519 keys: MINA SSHD finds Bouncy Castle at run time; required so it is in the module graph
    requires org.bouncycastle.provider;
    requires org.bouncycastle.pkix;

    exports io.poolkit.ssh;
}
