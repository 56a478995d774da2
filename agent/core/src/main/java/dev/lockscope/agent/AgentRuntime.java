package dev.lockscope.agent;

import dev.lockscope.agent.capture.Capture;
import dev.lockscope.agent.live.JvmVitals;
import dev.lockscope.agent.locks.LockContention;
import dev.lockscope.agent.pools.PoolsFeature;
import dev.lockscope.agent.profile.AlwaysOnRecording;
import dev.lockscope.agent.profile.ProfileFeature;
import dev.lockscope.agent.threads.ThreadsFeature;
import dev.lockscope.agent.transport.DashboardLink;
import dev.lockscope.agent.vthreads.PinningWatch;
import dev.lockscope.agent.waits.WaitsFeature;
import dev.lockscope.bridge.BridgeErrors;
import dev.lockscope.bridge.LockBridge;
import dev.lockscope.protocol.JsonWriter;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The running agent: starts every {@link Feature}, the once-a-second sampler and the dashboard link, all on
 * the agent's own daemon threads. {@link #start} returns at once so the application's start-up is not held up
 * by the agent's (Byte Buddy's start alone costs about a second of CPU). Started with {@code -javaagent}, the
 * init thread first waits for the application's start-up to pass ({@link StartupWait}), so the two do not share
 * the CPU.
 *
 * <p>One agent per JVM: loading the agent jar again into a JVM where it runs (the CLI's {@code attach} or
 * {@code detach}) does not start a second one; {@link #start} routes the new options to the running instance
 * ({@link #route}). Other code reaches the running instance through {@link #current()}.
 *
 * <p>Lifecycle: start → (route)* → {@link #detach} → gone. Everything the agent installed is removed on detach,
 * so a later attach starts a fresh agent. Start, route and detach are serialised on this class's monitor.
 */
public final class AgentRuntime {
    /** System property the CLI reads through the Attach API: {@code running} or {@code detached}. */
    public static final String STATE_PROPERTY = "lockscope.agent.state";
    /** The longest detach waits for any one part (the init thread, a feature's thread, the link) to finish. */
    static final long STOP_WAIT_MS = 15_000;

    /** Written under the class monitor; volatile so {@link #current()} never waits for a start or detach. */
    private static volatile AgentRuntime running;

    private final AgentOptions options;
    private final FeatureSwitches switches;
    private final Instrumentation instrumentation;
    private final StartupWait startupWait;
    /** Features that started; read by the sampler while the init thread still appends. */
    private final List<Feature> started = new CopyOnWriteArrayList<>();
    private volatile boolean stopped;
    private volatile DashboardLink link;
    private volatile AgentContext context;
    private Thread initThread;
    private Thread samplerThread;
    private volatile Capture capture;

    private AgentRuntime(AgentOptions options, Instrumentation instrumentation, boolean dynamic) {
        this.options = options;
        this.switches = FeatureSwitches.fromOptions(options);
        this.instrumentation = instrumentation;
        this.startupWait = new StartupWait(options, dynamic);
    }

    /** Called by {@link AgentMain} through reflection, for {@code -javaagent} and for every dynamic attach. */
    public static void start(String args, Instrumentation inst, boolean dynamic) throws Exception {
        AgentOptions options = AgentOptions.parse(args);
        AgentRuntime existing;
        synchronized (AgentRuntime.class) {
            existing = running;
            if (existing == null) {
                if (options.flag("detach", false)) {
                    System.err.println("lockscope: no agent runs in this JVM; nothing to detach");
                    return;
                }
                BridgeInjector.inject(inst); // before anything loads a bridge class
                AgentRuntime runtime = new AgentRuntime(options, inst, dynamic);
                running = runtime;
                System.setProperty(STATE_PROPERTY, "running");
                runtime.initThread = AgentContext.startThread("init", runtime::init);
                return;
            }
        }
        existing.route(options); // outside the monitor: detach and switches take it themselves
    }

    /** The agent running in this JVM, or null when none runs (never started, or detached). */
    public static AgentRuntime current() {
        return running;
    }

    /** The features this agent runs after {@link JvmVitals}, in start order. */
    private static List<Feature> features() {
        // The always-on recording last: starting a JFR disk recording takes a moment and nothing waits for it.
        AlwaysOnRecording recording = new AlwaysOnRecording();
        // Waits before the features that install instrumentation: it installs nothing, so it starts at once.
        return List.of(new LockContention(), new PinningWatch(), new WaitsFeature(), new ThreadsFeature(),
                new PoolsFeature(), new ProfileFeature(recording), recording);
    }

    private void init() {
        try {
            // The connection waits for the application's start-up too, but briefly (StartupWait.LINK_MAX_MS).
            startupWait.awaitUpTo(StartupWait.LINK_MAX_MS, () -> stopped);
            if (stopped) {
                return; // detached while waiting
            }
            JvmIdentity identity = JvmIdentity.ofThisJvm(options.get("name", null));
            link = new DashboardLink(options, identity, this::handle);
            // Prepared before the features start, so what they report while starting (a deadlock already
            // there, say) is in the capture.
            Capture pendingCapture = options.has("capture") ? prepareCapture(options, false) : null;
            context = new AgentContext(options, instrumentation, identity, link, switches);
            context.command("detach", (args, out) -> {
                // Answer first, detach on a thread of its own: the link must still carry the response.
                AgentContext.startThread("detach", () -> detach("requested by the dashboard"));
                out.beginObject().field("detaching", true).endObject();
            });
            context.command("features", (args, out) -> {
                Map<String, Boolean> failed = setSwitches(FeatureSwitches.requested(args));
                if (!failed.isEmpty()) {
                    throw new IllegalStateException("could not switch " + failed.keySet() + "; switches now "
                            + describeSwitches());
                }
                switches.write(out);
            });
            // Vitals (free to start), then connect and sample: installing instrumentation can take seconds of CPU
            // on a busy machine, and the JVM should be visible meanwhile, each feature appearing as it comes up.
            Feature vitals = new JvmVitals();
            vitals.start(context);
            started.add(vitals);
            link.start(() -> started.stream().map(Feature::name).toList());
            samplerThread = AgentContext.startThread("sampler", this::sampleLoop);
            // The features cost seconds of CPU that the application's own start-up would otherwise get: they wait
            // for it to pass (StartupWait). The JVM is listed, with its vitals, meanwhile.
            startupWait.awaitForFeatures(() -> stopped);
            for (Feature f : features()) {
                // Under the monitor, so a switch changed meanwhile reaches the feature: either it reads the new
                // value at start, or it is in the started list when the change is applied.
                synchronized (AgentRuntime.class) {
                    if (stopped) {
                        return; // detached while starting
                    }
                    try {
                        f.start(context);
                        started.add(f);
                    } catch (Throwable t) {
                        if (t instanceof IllegalStateException && "Shutdown in progress".equals(t.getMessage())) {
                            return; // the app is exiting before the agent finished starting: nothing to report
                        }
                        System.err.println("lockscope: " + f.name() + " disabled: " + t);
                    }
                }
            }
            startupWait.featuresStarted();
            if (pendingCapture != null) {
                beginCapture(pendingCapture);
            }
            // Option problems are printed after features ran, so their own option parsing is included.
            for (String p : options.problems()) {
                System.err.println("lockscope: " + p);
            }
        } catch (Throwable t) {
            System.err.println("lockscope: agent failed to start (" + t + "); the application runs without it");
        }
    }

    /**
     * Options given to a JVM where this agent already runs ({@code attach <pid> ...} a second time). Only the
     * runtime controls apply ({@code detach}, the {@link FeatureSwitches}); options fixed at start are reported
     * as such.
     */
    private void route(AgentOptions more) {
        for (String p : more.problems()) {
            System.err.println("lockscope: " + p);
        }
        if (more.flag("detach", false)) {
            detach("requested by the command line");
            return;
        }
        if (more.has("capture")) {
            // On a thread of its own: the CLI's attach returns at once and watches the capture's progress.
            AgentContext.startThread("capture-start", () -> captureWhileRunning(more));
        }
        Map<String, Boolean> wanted = FeatureSwitches.requested(more);
        if (!wanted.isEmpty()) {
            Map<String, Boolean> failed = setSwitches(wanted);
            System.err.println("lockscope: switches now " + describeSwitches()
                    + (failed.isEmpty() ? "" : " (could not switch " + failed.keySet() + ")"));
        }
        for (String key : more.keys()) {
            if (!key.equals("detach") && !key.equals("capture") && !key.equals("for")
                    && !FeatureSwitches.NAMES.contains(key)) {
                System.err.println("lockscope: the agent already runs in this JVM; option " + key
                        + " applies at start only (detach, then attach again to change it)");
            }
        }
    }

    /**
     * Removes the agent's effect from this JVM: restores every instrumented class, stops every agent thread,
     * JFR stream and profile, says goodbye to the dashboard and closes the link. The bridge classes stay in the
     * bootstrap loader (they cannot be unloaded) but nothing calls them any more. Returns false when this agent
     * was already detached. Blocks for at most a few times {@link #STOP_WAIT_MS}; never throws.
     */
    public boolean detach(String reason) {
        synchronized (AgentRuntime.class) {
            if (running != this || stopped) {
                return false;
            }
            stopped = true;
            LockBridge.enabled = false; // the advice goes quiet at once; the classes are restored below
        }
        join(initThread); // outside the monitor: init takes it for each feature, sees stopped and ends
        synchronized (AgentRuntime.class) {
            Capture runningCapture = capture;
            if (runningCapture != null) {
                runningCapture.end("detached"); // its archive is written before the features it reads from stop
            }
            DashboardLink l = link;
            if (l != null) {
                l.sendEvent("detached", b -> b.field("reason", reason));
                l.closeAfterFlush(3_000, instrumentation);
            }
            if (samplerThread != null) {
                samplerThread.interrupt();
                join(samplerThread);
            }
            List<Feature> reversed = new ArrayList<>(started);
            Collections.reverse(reversed);
            for (Feature f : reversed) {
                try {
                    f.stop();
                } catch (Throwable t) {
                    System.err.println("lockscope: stopping " + f.name() + " failed: " + t);
                }
            }
            started.clear();
            AgentContext c = context;
            if (c != null) {
                c.governor().reset();
            }
            running = null;
            System.setProperty(STATE_PROPERTY, "detached");
            System.err.println("lockscope: agent detached (" + reason + "); instrumented classes restored");
            return true;
        }
    }

    /**
     * Turns capabilities on or off at runtime ({@link FeatureSwitches}): each started feature is told; a feature
     * that fails leaves its switch where it was. Returns the switches that could not be changed, with the reason
     * printed. Serialised with start, route and detach.
     */
    public Map<String, Boolean> setSwitches(Map<String, Boolean> wanted) {
        synchronized (AgentRuntime.class) {
            Map<String, Boolean> failed = new LinkedHashMap<>();
            if (stopped) {
                failed.putAll(wanted);
                return failed;
            }
            for (Map.Entry<String, Boolean> e : wanted.entrySet()) {
                String name = e.getKey();
                boolean on = e.getValue();
                if (switches.on(name) == on) {
                    continue;
                }
                switches.set(name, on);
                for (Feature f : started) {
                    try {
                        f.setSwitch(name, on);
                    } catch (Throwable t) {
                        System.err.println("lockscope: switching " + name + (on ? " on" : " off") + " in " + f.name()
                                + " failed: " + t);
                        failed.put(name, on);
                    }
                }
                if (failed.containsKey(name)) {
                    switches.set(name, !on);
                }
            }
            return failed;
        }
    }

    private String describeSwitches() {
        StringBuilder b = new StringBuilder();
        for (String n : FeatureSwitches.NAMES) {
            b.append(b.length() == 0 ? "" : " ").append(n).append(switches.on(n) ? "=on" : "=off");
        }
        return b.toString();
    }

    /** Waits for an agent thread to end, at most {@link #STOP_WAIT_MS}. */
    static void join(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(STOP_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sampleLoop() {
        long next = System.currentTimeMillis();
        while (!stopped) {
            next += 1000;
            try {
                link.sendSample(this::writeSample);
            } catch (Throwable t) {
                BridgeErrors.record(t);
            }
            long sleep = next - System.currentTimeMillis();
            if (sleep < -5000) {
                next = System.currentTimeMillis(); // suspended or starved: don't burst to catch up
            }
            try {
                Thread.sleep(Math.max(1, sleep));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One sample body: a section per feature; a feature that throws loses its section, not the sample. */
    private void writeSample(JsonWriter body) {
        for (Feature f : started) {
            JsonWriter section = new JsonWriter().beginObject();
            try {
                f.writeSample(section);
            } catch (Throwable t) {
                BridgeErrors.record(t);
                continue;
            }
            body.name(f.name()).raw(section.endObject().toString());
        }
        body.name("agent").beginObject()
                .field("droppedMessages", link.dropped())
                .field("queuedMessages", link.queued())
                .field("suppressedErrors", BridgeErrors.count())
                .field("lastSuppressedError", BridgeErrors.last())
                .field("features", started.stream().map(Feature::name).toList())
                .name("startup");
        startupWait.write(body);
        body.name("switches");
        switches.write(body);
        body.name("governor");
        context.governor().write(body);
        body.endObject();
    }

    /**
     * Prepares the incident capture {@code captureOptions} ask for, keeping what the agent sends from now on.
     * {@code loadedBefore}: the agent was already running (attached for a dashboard, say) and stays as it is
     * afterwards.
     */
    private synchronized Capture prepareCapture(AgentOptions captureOptions, boolean loadedBefore) {
        if (capture != null && !capture.ended()) {
            System.err.println("lockscope: a capture into " + capture.archive() + " is already running; new capture ignored");
            return null;
        }
        try {
            // A capture that loaded the agent removes it again when done; one given to a running agent leaves it be.
            capture = Capture.prepare(captureOptions, link, loadedBefore,
                    loadedBefore ? () -> { } : () -> detach("the capture into " + captureOptions.get("capture", "") + " is done"));
            return capture;
        } catch (Throwable t) {
            System.err.println("lockscope: capture not started: " + t.getMessage());
            return null;
        }
    }

    /** Starts the prepared capture's clock once the features it reads from are up. */
    private void beginCapture(Capture c) {
        try {
            c.begin(feature(ThreadsFeature.class), feature(ProfileFeature.class));
        } catch (Throwable t) {
            c.abandon();
            System.err.println("lockscope: capture not started: " + t);
        }
    }

    /** A capture asked of an agent that was already running (a second load with capture options). */
    private void captureWhileRunning(AgentOptions captureOptions) {
        if (context == null) {
            System.err.println("lockscope: the agent is still starting; capture not started, try again in a few seconds");
            return;
        }
        Capture c = prepareCapture(captureOptions, true);
        if (c != null) {
            beginCapture(c);
        }
    }

    private <T extends Feature> T feature(Class<T> type) {
        for (Feature f : started) {
            if (type.isInstance(f)) {
                return type.cast(f);
            }
        }
        return null;
    }

    private CommandHandler handle(String command) {
        AgentContext c = context;
        return c == null ? null : c.handler(command);
    }
}
