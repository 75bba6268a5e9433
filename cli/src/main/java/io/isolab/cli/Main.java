package io.isolab.cli;

import picocli.CommandLine;

/** Entry point of the {@code isolab} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(IsolabCommand.commandLine().execute(args));
    }
}
