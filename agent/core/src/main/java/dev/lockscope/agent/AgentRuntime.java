package dev.lockscope.agent;

import dev.lockscope.agent.live.JvmVitals;
import dev.lockscope.agent.locks.LockContention;
import dev.lockscope.agent.pools.PoolsFeature;
import dev.lockscope.agent.profile.AlwaysOnRecording;
import dev.lockscope.agent.profile.ProfileFeature;
import dev.lockscope.agent.threads.ThreadsFeature;
import dev.lockscope.agent.transport.DashboardLink;
import dev.lockscope.agent.vthreads.PinningWatch;
import dev.lockscope.bridge.BridgeErrors;
import dev.lockscope.protocol.JsonWriter;
import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The running agent: starts every {@link Feature}, the once-a-second sampler and the dashboard link, all on
 * the agent's own daemon threads. {@link #start} returns at once so the application's start-up is not held up
 * by the agent's (Byte Buddy's start alone costs about a second of CPU).
 */
public final class AgentRuntime {
    private static AgentRuntime running;

    private final AgentOptions options;
    private final Instrumentation instrumentation;
    /** Features that started; read by the sampler while the init thread still appends. */
    private final List<Feature> started = new CopyOnWriteArrayList<>();
    private volatile boolean stopped;
    private DashboardLink link;
    private AgentContext context;

    private AgentRuntime(AgentOptions options, Instrumentation instrumentation) {
        this.options = options;
        this.instrumentation = instrumentation;
    }

    /** Called by {@link AgentMain} through reflection. */
    public static synchronized void start(String args, Instrumentation inst, boolean dynamic) throws Exception {
        AgentOptions options = AgentOptions.parse(args);
        if (running != null) {
            System.err.println("lockscope: agent already running in this JVM; new options ignored");
            return;
        }
        BridgeInjector.inject(inst); // before anything loads a bridge class
        AgentRuntime runtime = new AgentRuntime(options, inst);
        running = runtime;
        AgentContext.startThread("init", runtime::init);
    }

    /** The features this agent runs after {@link JvmVitals}, in start order. */
    private static List<Feature> features() {
        AlwaysOnRecording recording = new AlwaysOnRecording();
        return List.of(new LockContention(), new PinningWatch(), new ThreadsFeature(), new PoolsFeature(),
                recording, new ProfileFeature(recording));
    }

    private void init() {
        try {
            JvmIdentity identity = JvmIdentity.ofThisJvm(options.get("name", null));
            link = new DashboardLink(options, identity, this::handle);
            context = new AgentContext(options, instrumentation, identity, link);
            // Vitals (free to start), then connect and sample: installing instrumentation can take seconds of CPU
            // on a busy machine, and the JVM should be visible meanwhile, each feature appearing as it comes up.
            Feature vitals = new JvmVitals();
            vitals.start(context);
            started.add(vitals);
            link.start(() -> started.stream().map(Feature::name).toList());
            AgentContext.startThread("sampler", this::sampleLoop);
            for (Feature f : features()) {
                try {
                    f.start(context);
                    started.add(f);
                } catch (Throwable t) {
                    System.err.println("lockscope: " + f.name() + " disabled: " + t);
                }
            }
            // Option problems are printed after features ran, so their own option parsing is included.
            for (String p : options.problems()) {
                System.err.println("lockscope: " + p);
            }
        } catch (Throwable t) {
            System.err.println("lockscope: agent failed to start (" + t + "); the application runs without it");
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
                .endObject();
    }

    private CommandHandler handle(String command) {
        return context == null ? null : context.handler(command);
    }
}
