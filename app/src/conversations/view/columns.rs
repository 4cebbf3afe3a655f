//! The list view's columns: which exist, how each sorts, and the chooser
//! that picks and orders them (remembered per user on the server).

use leptos::prelude::*;

use crate::conversations::model::Sort;

crate::str_enum! {
    /// A column of the table.
    Column {
        Contact = "contact" / "Contact",
        Subject = "subject" / "Subject",
        Inbox = "inbox" / "Inbox",
        Channel = "channel" / "Channel",
        Status = "status" / "Status",
        Priority = "priority" / "Priority",
        Assignee = "assignee" / "Assignee",
        LastActivity = "last_activity" / "Last activity",
        Created = "created" / "Created",
        FirstResponse = "first_response" / "First response",
    }
}

impl Column {
    /// The sorts a header click toggles between (first = first click).
    /// Only columns with an index behind their order sort.
    pub fn sorts(self) -> Option<(Sort, Sort)> {
        match self {
            Column::LastActivity => Some((Sort::Newest, Sort::Oldest)),
            Column::Created => Some((Sort::Created, Sort::Added)),
            Column::Priority => Some((Sort::Priority, Sort::PriorityLow)),
            _ => None,
        }
    }

    /// The arrow a header shows when the list is sorted by this column.
    pub fn arrow(self, sort: Sort) -> &'static str {
        match self.sorts() {
            Some((a, b)) if a == sort || b == sort => {
                if sort.descending() {
                    " ↓"
                } else {
                    " ↑"
                }
            }
            _ => "",
        }
    }
}

/// What a user sees until they choose.
pub const DEFAULT_COLUMNS: &[Column] = &[
    Column::Contact,
    Column::Subject,
    Column::Inbox,
    Column::Status,
    Column::Priority,
    Column::Assignee,
    Column::LastActivity,
];

/// The user's saved columns, or the default set (unknown keys dropped).
pub fn from_keys(keys: Option<&[String]>) -> Vec<Column> {
    let cols: Vec<Column> = keys.unwrap_or_default().iter().filter_map(|k| k.parse().ok()).collect();
    if cols.is_empty() {
        DEFAULT_COLUMNS.to_vec()
    } else {
        cols
    }
}

/// `cols` with `col` moved `by` places (left < 0 < right), if it can move.
pub fn moved(mut cols: Vec<Column>, col: Column, by: isize) -> Option<Vec<Column>> {
    let i = cols.iter().position(|x| *x == col)?;
    let j = i.checked_add_signed(by).filter(|j| *j < cols.len())?;
    cols.swap(i, j);
    Some(cols)
}

/// "<1m", "42m", "3h 5m", "2d 4h".
pub fn duration(ms: i64) -> String {
    let m = ms.max(0) / 60_000;
    match m {
        0 => "<1m".into(),
        1..=59 => format!("{m}m"),
        60..=1439 => format!("{}h {}m", m / 60, m % 60),
        _ => format!("{}d {}h", m / 1440, (m % 1440) / 60),
    }
}

/// Choose and reorder columns; `remember` stores the new set.
#[component]
pub fn ColumnChooser(columns: RwSignal<Vec<Column>>, remember: Callback<Vec<Column>>) -> impl IntoView {
    view! {
        <details class="column-chooser">
            <summary>"Columns"</summary>
            <ul>
                {Column::ALL.iter().map(|col| {
                    let col = *col;
                    let on = move || columns.with(|c| c.contains(&col));
                    let shift = move |by: isize| {
                        if let Some(c) = moved(columns.get_untracked(), col, by) {
                            remember.run(c);
                        }
                    };
                    view! {
                        <li data-col=col.as_str()>
                            <label>
                                <input type="checkbox" name=format!("col_{}", col.as_str()) prop:checked=on on:change=move |ev| {
                                    let mut c = columns.get_untracked();
                                    if event_target_checked(&ev) {
                                        if !c.contains(&col) { c.push(col); }
                                    } else if c.len() > 1 {
                                        c.retain(|x| *x != col);
                                    }
                                    remember.run(c);
                                }/>
                                {col.label()}
                            </label>
                            <button type="button" class="link" aria-label=format!("Move {} left", col.label()) on:click=move |_| shift(-1)>"←"</button>
                            <button type="button" class="link" aria-label=format!("Move {} right", col.label()) on:click=move |_| shift(1)>"→"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_columns_load_in_order_and_fall_back_to_the_default() {
        let keys = vec!["status".to_string(), "nonsense".into(), "contact".into()];
        assert_eq!(from_keys(Some(&keys)), vec![Column::Status, Column::Contact]);
        assert_eq!(from_keys(None), DEFAULT_COLUMNS.to_vec());
        assert_eq!(from_keys(Some(&["gone".to_string()])), DEFAULT_COLUMNS.to_vec());
    }

    #[test]
    fn columns_move_within_bounds() {
        let c = vec![Column::Contact, Column::Subject, Column::Status];
        assert_eq!(moved(c.clone(), Column::Status, -1), Some(vec![Column::Contact, Column::Status, Column::Subject]));
        assert_eq!(moved(c.clone(), Column::Contact, -1), None);
        assert_eq!(moved(c, Column::Status, 1), None);
    }

    #[test]
    fn durations_read_short() {
        assert_eq!(duration(30_000), "<1m");
        assert_eq!(duration(42 * 60_000), "42m");
        assert_eq!(duration((3 * 60 + 5) * 60_000), "3h 5m");
        assert_eq!(duration((2 * 1440 + 4 * 60) * 60_000), "2d 4h");
    }
}
