package io.poolkit.ssh.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.channel.ChannelSession;

/** {@code echo <text>}: prints the text and exits 0; anything else exits 127. No process, no shell. */
final class EchoCommand extends StreamsCommand {
    private final String command;
    private final Consumer<String> started;

    EchoCommand(String command, Consumer<String> started) {
        this.command = command;
        this.started = started;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        started.accept(command);
        if (command.startsWith("echo ")) {
            out.write((command.substring(5) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            exit.onExit(0);
        } else {
            err.write(("unknown command: " + command + "\n").getBytes(StandardCharsets.UTF_8));
            err.flush();
            exit.onExit(127);
        }
    }
}
