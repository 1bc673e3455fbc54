// include_dir! cannot tell cargo which files it read; watching templates/ here makes an
// edited or added template rebuild the crate.
fn main() {
    println!("cargo::rerun-if-changed=templates");
}
