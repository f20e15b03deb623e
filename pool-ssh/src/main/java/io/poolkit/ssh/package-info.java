/**
 * poolkit's SSH pool. Start with {@link io.poolkit.ssh.SshPool#builder()}: describe each host as an
 * {@link io.poolkit.ssh.SshTarget} ({@code SshTarget.of(host, port, user).withKey(path)}), then
 * {@link io.poolkit.ssh.SshPool#exec(SshTarget, String, java.time.Duration) exec} commands; the pool
 * keeps authenticated connections per target and runs up to {@code maxChannelsPerConnection}
 * commands on each at once.
 */
package io.poolkit.ssh;
