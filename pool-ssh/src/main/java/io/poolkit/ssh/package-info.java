/**
 * poolkit's SSH pool. Start with {@link io.poolkit.ssh.SshPool#builder()}: describe each host as an
 * {@link io.poolkit.ssh.SshTarget} ({@code SshTarget.of(host, port, user).withKey(path)}), then
 * {@link io.poolkit.ssh.SshPool#exec(SshTarget, String, java.time.Duration) exec} commands; the pool
 * keeps authenticated connections per target and runs up to {@code maxChannelsPerConnection}
 * commands on each at once. The same connections carry SFTP transfers
 * ({@link io.poolkit.ssh.SshPool#upload upload}, {@link io.poolkit.ssh.SshPool#sftp sftp}), tunnels
 * ({@link io.poolkit.ssh.SshPool#forward forward}) and jump hosts ({@link io.poolkit.ssh.SshTarget#via via}).
 */
package io.poolkit.ssh;
