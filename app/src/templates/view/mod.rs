//! Template components: the Settings section and the composer's picker.

mod picker;
mod settings;

pub use picker::{Picker, TemplatePicker};
pub use settings::TemplatesSettings;
