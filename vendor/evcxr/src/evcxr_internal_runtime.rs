// Copyright 2020 The Evcxr Authors.
//
// Licensed under the Apache License, Version 2.0 <LICENSE or
// https://www.apache.org/licenses/LICENSE-2.0> or the MIT license <LICENSE
// or https://opensource.org/licenses/MIT>, at your option. This file may not be
// copied, modified, or distributed except according to those terms.

// This file is both a module of evcxr and is included via include_str! then
// built as a crate itself. The latter is the primary use-case. It's included as
// a submodule only so that constants can be shared.

pub const VARIABLE_CHANGED_TYPE: &str = "EVCXR_VARIABLE_CHANGED_TYPE:";
pub const USER_ERROR_OCCURRED: &str = "EVCXR_ERROR_OCCURRED";
pub const PANIC_NOTIFICATION: &str = "EVCXR_PANIC_NOTIFICATION";

// multitask patch 05: the cell's panic, with its message, on one line (`\` and
// line breaks escaped; see `panic_message` in eval_context.rs), so the front
// end can fail the cell with it, as Jupyter does for an exception.
pub fn notify_panic(payload: &(dyn std::any::Any + Send)) {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a text message)".to_string());
    send_protocol(&format!(
        "{PANIC_NOTIFICATION} {}\n",
        message.replace('\\', "\\\\").replace('\n', "\\n")
    ));
}

// multitask patch 27: a `?` that met an error in the cell: the error's type
// and message on one line (a tab between them; `\` and line breaks in the
// message escaped as for a panic), so the front end can fail the cell with
// them, as Jupyter does for an exception.
pub fn notify_user_error(type_name: &str, message: &str) {
    send_protocol(&format!(
        "{USER_ERROR_OCCURRED} {type_name}\t{}\n",
        message.replace('\\', "\\\\").replace('\n', "\\n")
    ));
}

// multitask patch 06: what the cell printed without a line break reaches evcxr
// before the cell's end (cells have their own copy of std, and so their own
// stdout buffer, apart from the runtime's).
pub fn flush_stdout() {
    let _ = std::io::Write::flush(&mut std::io::stdout());
}

// multitask patch 28: evcxr's protocol has a channel of its own, a pipe the
// front end gives the runtime on the descriptor this variable names, so that
// stdout and stderr are the cell's alone: a cell may close them, flood them
// or write any bytes to them without breaking the session.
pub const PROTOCOL_FD_VAR: &str = "EVCXR_PROTOCOL_FD";

/// The protocol's descriptor, if this process was given one.
pub fn protocol_fd() -> Option<i32> {
    std::env::var(PROTOCOL_FD_VAR).ok()?.parse().ok()
}

/// Sends `message` (whole lines) on the protocol channel, after what the
/// cell printed so far; on stdout in a process that has no channel (one not
/// started by evcxr). (multitask patch 28)
pub fn send_protocol(message: &str) {
    use std::io::Write;
    flush_stdout();
    // Opened anew through /proc (the same pipe, a descriptor of our own,
    // closed after): the one given to the process is never taken over.
    // One `write` of a message up to PIPE_BUF bytes is atomic, so threads'
    // messages do not mix.
    let channel = protocol_fd().and_then(|fd| {
        std::fs::OpenOptions::new()
            .write(true)
            .open(format!("/proc/self/fd/{fd}"))
            .ok()
    });
    match channel {
        Some(mut channel) => {
            let _ = channel.write_all(message.as_bytes());
        }
        None => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(message.as_bytes());
            let _ = out.flush();
        }
    }
}

/// Sends `text` as content of type `mime` (the value a cell ends with).
/// (multitask patch 28)
pub fn send_content(mime: &str, text: &str) {
    send_protocol(&format!("EVCXR_BEGIN_CONTENT {mime}\n{text}\nEVCXR_END_CONTENT\n"));
}

pub struct VariableStore {
    variables: std::collections::HashMap<String, Box<dyn std::any::Any + 'static>>,
}

// multitask patch 01: this file is now compiled once, as a crate the cell crate
// depends on, instead of as a module of every cell. The generic methods are
// thin wrappers over non-generic ones, so a cell no longer instantiates (and
// codegens) HashMap's methods each time: about 45 ms less per cell here.
impl VariableStore {
    pub fn new() -> VariableStore {
        VariableStore {
            variables: std::collections::HashMap::new(),
        }
    }

    pub fn put_variable<T: 'static>(&mut self, name: &str, value: T) {
        self.put_boxed(name, Box::new(value));
    }

    #[inline(never)]
    pub fn put_boxed(&mut self, name: &str, value: Box<dyn std::any::Any + 'static>) {
        self.variables.insert(name.to_owned(), value);
    }

    pub fn check_variable<T: 'static>(&mut self, name: &str) -> bool {
        if let Some(v) = self.variables.get(name)
            && v.downcast_ref::<T>().is_none()
        {
            Self::report_changed_type(name);
            return false;
        }
        true
    }

    #[inline(never)]
    fn report_changed_type(name: &str) {
        eprintln!("The type of the variable {name} was redefined, so was lost.",);
        send_protocol(&format!("{VARIABLE_CHANGED_TYPE}{name}\n"));
    }

    pub fn take_variable<T: 'static>(&mut self, name: &str) -> T {
        match self.take_boxed(name).downcast() {
            Ok(value) => *value,
            // Shouldn't happen so long as check_variable was called.
            Err(_) => Self::changed_type(),
        }
    }

    #[inline(never)]
    pub fn take_boxed(&mut self, name: &str) -> Box<dyn std::any::Any + 'static> {
        match self.variables.remove(name) {
            Some(v) => v,
            None => panic!("Variable '{name}' has gone missing"),
        }
    }

    #[inline(never)]
    fn changed_type() -> ! {
        panic!("Variable changed type");
    }

    pub fn lazy_arc<T: 'static, F: FnOnce() -> T>(
        &mut self,
        name: &str,
        create: F,
    ) -> std::sync::Arc<T> {
        let mut create = Some(create);
        let value = self.get_or_insert_boxed(name, &mut || {
            Box::new(std::sync::Arc::new((create.take().unwrap())()))
        });
        if let Some(value) = value.downcast_mut() {
            std::sync::Arc::clone(value)
        } else {
            panic!("lazy_arc {name} changed type");
        }
    }

    #[inline(never)]
    pub fn get_or_insert_boxed(
        &mut self,
        name: &str,
        create: &mut dyn FnMut() -> Box<dyn std::any::Any + 'static>,
    ) -> &mut Box<dyn std::any::Any + 'static> {
        self.variables
            .entry(name.to_owned())
            .or_insert_with(create)
    }

    pub fn merge(&mut self, mut other: VariableStore) {
        self.variables.extend(other.variables.drain());
    }
}

pub fn create_variable_store() -> *mut VariableStore {
    Box::into_raw(Box::new(VariableStore::new()))
}
