package io.isolab.backend.hypervisor;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The host's end of the guest's virtio-serial port: a UNIX socket isolab listens on and QEMU connects to
 * when it starts ({@code <source mode='connect'>}), so the connection exists before the guest runs and
 * nothing it says is lost. Frames are read by one thread and written by any, one frame at a time.
 */
final class GuestChannel implements AutoCloseable {
    /** sockaddr_un's sun_path, less its terminating NUL. */
    private static final int MAX_PATH = 107;

    private final Path path;
    private final ServerSocketChannel server;
    private final ByteBuffer in = ByteBuffer.allocate(GuestProtocol.HEADER + GuestProtocol.MAX_PAYLOAD)
            .order(ByteOrder.LITTLE_ENDIAN);
    private volatile SocketChannel socket;

    private GuestChannel(Path path, ServerSocketChannel server) {
        this.path = path;
        this.server = server;
        in.flip();
    }

    /**
     * Listens at {@code path}, owned by QEMU's user (when it is another) so that it may connect.
     *
     * @throws IOException also when the path is too long for a UNIX socket
     */
    static GuestChannel listen(Path path, LibvirtCapabilities.DacLabel qemuUser) throws IOException {
        if (path.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH) {
            throw new IOException("the channel socket path " + path + " is longer than a UNIX socket allows ("
                    + MAX_PATH + " bytes): use a shorter state-dir");
        }
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path), 1);
            if (qemuUser != null && qemuUser.uid() != 0) {
                Files.setAttribute(path, "unix:uid", qemuUser.uid());
                Files.setAttribute(path, "unix:gid", qemuUser.gid());
            }
            return new GuestChannel(path, server);
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /** Takes QEMU's connection, which it made while the domain was created. */
    void accept(Duration timeout) throws IOException {
        server.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            server.register(selector, SelectionKey.OP_ACCEPT);
            if (selector.select(Math.max(1, timeout.toMillis())) == 0) {
                throw new IOException("QEMU did not connect to " + path + " within " + timeout.toMillis() + " ms");
            }
        }
        SocketChannel accepted = server.accept();
        if (accepted == null) {
            throw new IOException("QEMU's connection to " + path + " went away");
        }
        accepted.configureBlocking(true);
        socket = accepted;
    }

    /**
     * The next frame, or {@code null} when QEMU closed its end (the domain ended).
     *
     * @throws IOException also when the stream is not made of frames
     */
    GuestProtocol.Frame read() throws IOException {
        if (!fill(GuestProtocol.HEADER)) {
            return null;
        }
        int magic = in.getShort() & 0xffff;
        int type = in.get() & 0xff;
        int proc = in.get() & 0xff;
        int length = in.getInt();
        if (magic != GuestProtocol.MAGIC || length < 0 || length > GuestProtocol.MAX_PAYLOAD) {
            throw new IOException("not a frame from the guest (magic " + Integer.toHexString(magic) + ", length " + length + ")");
        }
        if (!fill(length)) {
            throw new EOFException("the guest's channel ended inside a frame");
        }
        ByteBuffer payload = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        payload.put(in.slice(in.position(), length)).flip();
        in.position(in.position() + length);
        return new GuestProtocol.Frame(type, proc, payload);
    }

    /** Reads until {@code n} bytes are buffered; false at end of stream before the first of them. */
    private boolean fill(int n) throws IOException {
        if (in.remaining() >= n) {
            return true;
        }
        in.compact();
        try {
            while (in.position() < n) {
                if (socket.read(in) < 0) {
                    if (in.position() == 0) {
                        return false;
                    }
                    throw new EOFException("the guest's channel ended inside a frame");
                }
            }
        } finally {
            in.flip();
        }
        return true;
    }

    void send(int type, int proc, byte[] payload) throws IOException {
        send(type, proc, ByteBuffer.wrap(payload));
    }

    void send(int type, int proc, ByteBuffer payload) throws IOException {
        if (payload.remaining() > GuestProtocol.MAX_PAYLOAD) {
            throw new IOException("a frame of " + payload.remaining() + " bytes is more than the guest accepts ("
                    + GuestProtocol.MAX_PAYLOAD + ")");
        }
        ByteBuffer[] frame = {GuestProtocol.header(type, proc, payload.remaining()), payload.duplicate()};
        SocketChannel s = socket;
        if (s == null) {
            throw new IOException("the guest is not connected");
        }
        synchronized (this) {
            while (frame[1].hasRemaining() || frame[0].hasRemaining()) {
                s.write(frame);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (socket != null) {
                socket.close();
            }
        } finally {
            server.close();
            Files.deleteIfExists(path);
        }
    }
}
