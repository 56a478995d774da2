package dev.lockscope.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy between agents and a dashboard that a test can break on purpose: cut every connection,
 * cut a connection right after forwarding a dashboard frame on it that contains a marker (the dashboard's frames are unmasked, so
 * a request's command name is visible in the bytes), stop reading what agents send (a peer that accepts but
 * never reads), or refuse new connections. Everything else is forwarded byte for byte.
 */
public final class TcpProxy implements AutoCloseable {
    /** Small receive buffers so a stalled proxy fills up after little data, as a stuck peer's would. */
    private static final int RECEIVE_BUFFER = 8 * 1024;

    private final ServerSocket server;
    private final int targetPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicLong accepted = new AtomicLong();
    private volatile boolean refusing;
    private volatile boolean stalled;
    private volatile Trigger trigger;
    private volatile boolean closed;

    /** When a dashboard→agent chunk contains {@code marker}: forward it, run {@code action}, cut that link. */
    private record Trigger(String marker, Runnable action, CompletableFuture<Void> fired) {}

    private final class Link {
        final Socket agent;
        final Socket dashboard;

        Link(Socket agent, Socket dashboard) {
            this.agent = agent;
            this.dashboard = dashboard;
        }

        void cut() {
            reset(agent);
            reset(dashboard);
            links.remove(this);
        }
    }

    private TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        server = new ServerSocket();
        server.setReceiveBufferSize(RECEIVE_BUFFER);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::acceptLoop, "tcp-proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    /** A proxy on an ephemeral loopback port forwarding to {@code 127.0.0.1:targetPort}. */
    public static TcpProxy to(int targetPort) throws IOException {
        return new TcpProxy(targetPort);
    }

    /** The agent option value that points at the dashboard through this proxy. */
    public String agentUrl() {
        return "ws://127.0.0.1:" + server.getLocalPort() + "/agent";
    }

    /** Connections accepted so far (each agent reconnect is one). */
    public long accepted() {
        return accepted.get();
    }

    /** Resets every open connection in both directions, as a dropped network path would. */
    public void cutAll() {
        for (Link l : links) {
            l.cut();
        }
    }

    /** While true, new connections are accepted and immediately reset. */
    public void refuse(boolean refuse) {
        this.refusing = refuse;
    }

    /** While true, nothing agents send is read: their writes back up once the socket buffers are full. */
    public void stall(boolean stall) {
        this.stalled = stall;
    }

    /**
     * Arms a one-shot cut: the next dashboard→agent chunk containing {@code marker} is forwarded, then
     * {@code action} runs and that connection is reset. Completes when it fired.
     */
    public CompletableFuture<Void> cutAfter(String marker, Runnable action) {
        Trigger t = new Trigger(marker, action, new CompletableFuture<>());
        trigger = t;
        return t.fired();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket agent = server.accept();
                accepted.incrementAndGet();
                if (refusing) {
                    reset(agent);
                    continue;
                }
                Socket dashboard = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                Link link = new Link(agent, dashboard);
                links.add(link);
                pump(link, agent, dashboard, true);
                pump(link, dashboard, agent, false);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Link link, Socket from, Socket to, boolean upstream) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                while (true) {
                    while (upstream && stalled && !from.isClosed()) {
                        Thread.sleep(10);
                    }
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                    Trigger armed = trigger;
                    if (!upstream && armed != null
                            && new String(buf, 0, n, StandardCharsets.ISO_8859_1).contains(armed.marker())) {
                        trigger = null;
                        armed.action().run();
                        link.cut();
                        armed.fired().complete(null);
                        return;
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the link was cut or closed
            }
            link.cut();
        }, upstream ? "tcp-proxy-up" : "tcp-proxy-down");
        t.setDaemon(true);
        t.start();
    }

    /** Closes with a TCP reset (linger 0): the peer sees the connection break, not an orderly close. */
    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        cutAll();
    }
}
