use crate::support::{database, options};
use migration_runtime::autogenerate::{CompareOptions, compare, synthetic_schema_sql};
use migration_runtime::introspect::introspect_with_report;
use std::time::Instant;

#[tokio::test]
async fn perf_1000_tables() {
    let (_db, client) = database("perf", &synthetic_schema_sql(1000)).await;
    let mut lines = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let report = introspect_with_report(&client, &options()).await.unwrap();
        let introspected = t.elapsed();
        let t = Instant::now();
        let same = compare(
            &report.metadata,
            &report.metadata,
            &CompareOptions::default(),
        );
        let compared_same = t.elapsed();
        let t = Instant::now();
        let all = compare(
            &migration_runtime::schema::Metadata::new(),
            &report.metadata,
            &CompareOptions::default(),
        );
        let compared_all = t.elapsed();
        assert!(same.is_empty());
        lines.push(format!("tables {} introspect {:?} compare(same) {:?} compare(empty->all, {} ops) {:?} total {:?}", report.metadata.tables.len(), introspected, compared_same, all.upgrade.len(), compared_all, introspected + compared_same));
    }
    std::fs::write("/tmp/perf_result.txt", lines.join("\n")).unwrap();
}
