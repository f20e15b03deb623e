package io.poolkit.ssh;

import io.poolkit.testkit.Services;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Two Linux network namespaces for the jump-host IT: {@code jump}, linked to the test's own namespace
 * ({@code 198.18.N.1 <-> 198.18.N.2}), and {@code inner}, linked only to {@code jump}
 * ({@code 198.19.N.1 <-> 198.19.N.2}). The test's namespace has no route to {@code 198.19.N.0/30}, so an
 * sshd listening on {@code 198.19.N.2} in {@code inner} is reachable only from {@code jump}: through an
 * sshd there. Addresses from the benchmarking range (RFC 2544), which no real network uses. Needs root
 * (CAP_NET_ADMIN) and iproute2; removed on close (deleting a namespace deletes its links).
 */
final class Netns implements AutoCloseable {
    final String jump;
    final String inner;
    final String jumpAddress;
    final String innerAddress;
    private final List<String> created = new ArrayList<>();

    private Netns(int n) {
        String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        this.jump = "pkj-" + tag;
        this.inner = "pki-" + tag;
        this.jumpAddress = "198.18." + n + ".2";
        this.innerAddress = "198.19." + n + ".2";
    }

    /** Skips (or, with CI=true, fails) when namespaces cannot be made here. */
    static Netns create() throws Exception {
        int n = ThreadLocalRandom.current().nextInt(1, 254);
        Netns ns = new Netns(n);
        String tag = ns.jump.substring(4);
        String outside = "pko" + tag;
        String jumpSide = "pkp" + tag;
        String jumpInner = "pkq" + tag;
        String innerSide = "pkr" + tag;
        try {
            ns.ip("netns", "add", ns.jump);
            ns.created.add(ns.jump);
            ns.ip("netns", "add", ns.inner);
            ns.created.add(ns.inner);
            ns.ip("link", "add", outside, "type", "veth", "peer", "name", jumpSide);
            ns.ip("link", "set", jumpSide, "netns", ns.jump);
            ns.ip("addr", "add", "198.18." + n + ".1/30", "dev", outside);
            ns.ip("link", "set", outside, "up");
            ns.ip("-n", ns.jump, "addr", "add", ns.jumpAddress + "/30", "dev", jumpSide);
            ns.ip("-n", ns.jump, "link", "set", jumpSide, "up");
            ns.ip("-n", ns.jump, "link", "set", "lo", "up");
            ns.ip("-n", ns.jump, "link", "add", jumpInner, "type", "veth", "peer", "name", innerSide);
            ns.ip("-n", ns.jump, "link", "set", innerSide, "netns", ns.inner);
            ns.ip("-n", ns.jump, "addr", "add", "198.19." + n + ".1/30", "dev", jumpInner);
            ns.ip("-n", ns.jump, "link", "set", jumpInner, "up");
            ns.ip("-n", ns.inner, "addr", "add", ns.innerAddress + "/30", "dev", innerSide);
            ns.ip("-n", ns.inner, "link", "set", innerSide, "up");
            ns.ip("-n", ns.inner, "link", "set", "lo", "up");
        } catch (IOException e) {
            ns.close();
            Services.require(false, "network namespaces unavailable (needs root and iproute2): " + e.getMessage());
        }
        return ns;
    }

    private void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.trim());
        }
    }

    @Override
    public void close() throws Exception {
        for (String name : created) {
            try {
                ip("netns", "del", name);
            } catch (IOException e) {
                // gone already
            }
        }
    }
}
