//! Request metrics: counts and latencies by route and status, rendered in Prometheus text
//! format at `/metrics`. Each [`AppState`](crate::AppState) has its own recorder rather than
//! a process-wide one, so tests (and several routers in one process) do not share counters.

use std::fmt;
use std::time::Duration;

use metrics::{Key, Label, Metadata, Recorder};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

const REQUESTS: &str = "barid_http_requests_total";
const LATENCY: &str = "barid_http_request_duration_seconds";
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        // Only fails for an empty bucket list; summaries are still useful then.
        let recorder = match PrometheusBuilder::new().set_buckets(&LATENCY_BUCKETS) {
            Ok(builder) => builder.build_recorder(),
            Err(_) => PrometheusBuilder::new().build_recorder(),
        };
        let handle = recorder.handle();
        Self { recorder, handle }
    }

    /// Records one answered request. `route` is the route's pattern, not the raw path, so
    /// the number of series stays bounded.
    pub fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        static METADATA: Metadata<'static> =
            Metadata::new(module_path!(), metrics::Level::INFO, Some(module_path!()));
        let labels = vec![
            Label::new("method", method.to_owned()),
            Label::new("route", route.to_owned()),
            Label::new("status", status.to_string()),
        ];
        self.recorder
            .register_counter(&Key::from_parts(REQUESTS, labels.clone()), &METADATA)
            .increment(1);
        self.recorder
            .register_histogram(&Key::from_parts(LATENCY, labels), &METADATA)
            .record(elapsed.as_secs_f64());
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        self.handle.render()
    }
}
