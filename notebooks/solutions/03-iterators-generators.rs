// Reference solutions for the exercises of notebooks/03-iterators-generators.ipynb.
// Each starts with a line `// exercise: ID`; tests/exercises.rs puts it in
// place of the exercise's TODO cell and expects its check to print ✓, and the
// chapter's module in prelude/src/exercises/ runs this file as its doc test.

// exercise: 03-countdown
fn countdown(n: i64) -> Generator<i64> {
    Generator::new(move |co| {
        for i in (1..=n).rev() {
            co.yield_(i)?;
        }
        Ok(())
    })
}

// exercise: 03-running-total
fn running_total() -> Generator<i64, i64> {
    Generator::new(|co| {
        let mut total = 0;
        loop {
            let sent = co.yield_(total)?;
            total += sent.unwrap_or(0);
        }
    })
}
