/// The page's fixed parts: the style sheet (HAProxy 2.6's class names and
/// state colours, so the page reads the same and tools that scrape it find
/// their classes) and the legend of server states.
enum StatsPageStyle {
    static let css = """
    body { font-family: arial, helvetica, sans-serif; font-size: 12px; font-weight: normal; color: black; background: white;}
    th,td { font-size: 10px;}
    h1 { font-size: x-large; margin-bottom: 0.5em;}
    h2 { font-family: helvetica, arial; font-size: x-large; font-weight: bold; font-style: italic; color: #6020a0; margin-top: 0em; margin-bottom: 0em;}
    h3 { font-family: helvetica, arial; font-size: 16px; font-weight: bold; color: #b00040; background: #e8e8d0; margin-top: 0em; margin-bottom: 0em;}
    li { margin-top: 0.25em; margin-right: 2em;}
    .hr {margin-top: 0.25em; border-color: black; border-bottom-style: solid;}
    .titre {background: #20D0D0;color: #000000; font-weight: bold; text-align: center;}
    .total {background: #20D0D0;color: #ffff80;}
    .frontend {background: #e8e8d0;}
    .socket {background: #d0d0d0;}
    .backend {background: #e8e8d0;}
    .active_down {background: #ff9090;}
    .active_going_up {background: #ffd020;}
    .active_going_down {background: #ffffa0;}
    .active_up {background: #c0ffc0;}
    .active_nolb {background: #20a0ff;}
    .active_draining {background: #20a0FF;}
    .active_no_check {background: #e0e0e0;}
    .backup_down {background: #ff9090;}
    .backup_going_up {background: #ff80ff;}
    .backup_going_down {background: #c060ff;}
    .backup_up {background: #b0d0ff;}
    .backup_nolb {background: #90b0e0;}
    .backup_draining {background: #cc9900;}
    .backup_no_check {background: #e0e0e0;}
    .maintain {background: #c07820;}
    .rls {letter-spacing: 0.2em; margin-right: 1px;}
    a.px:link, a.px:visited {color: #ffff40; text-decoration: none;}
    a.px:hover {color: #ffffff; text-decoration: none;}
    a.lfsb:link, a.lfsb:visited {color: #000000; text-decoration: none;}
    a.lfsb:hover {color: #505050; text-decoration: none;}
    table.tbl { border-collapse: collapse; border-style: none;}
    table.tbl td { text-align: right; border-width: 1px 1px 1px 1px; border-style: solid solid solid solid; padding: 2px 3px; border-color: gray; white-space: nowrap;}
    table.tbl td.ac { text-align: center;}
    table.tbl th { border-width: 1px; border-style: solid solid solid solid; border-color: gray;}
    table.tbl th.pxname { background: #b00040; color: #ffff40; font-weight: bold; border-style: solid solid none solid; padding: 2px 3px; white-space: nowrap;}
    table.tbl th.empty { border-style: none; empty-cells: hide; background: white;}
    table.tbl th.desc { background: white; border-style: solid solid none solid; text-align: left; padding: 2px 3px;}
    table.lgd { border-collapse: collapse; border-width: 1px; border-style: none none none solid; border-color: black;}
    table.lgd td { border-width: 1px; border-style: solid solid solid solid; border-color: gray; padding: 2px;}
    table.lgd td.noborder { border-style: none; padding: 2px; white-space: nowrap;}
    u {text-decoration:none; border-bottom: 1px dotted black;}
    div.tips { display:block; visibility:hidden; z-index:2147483647; position:absolute; padding:2px 4px 3px; background:#f0f060; color:#000000; border:1px solid #7040c0; white-space:nowrap; font-style:normal;font-size:11px;font-weight:normal; border-radius:3px; box-shadow:gray 2px 2px 3px;}
    u:hover div.tips {visibility:visible;}

    """

    static let legend = """
    <table class="lgd">
    <tr><td class="active_up">&nbsp;</td><td class="noborder">active UP </td><td class="backup_up">&nbsp;</td><td class="noborder">backup UP </td></tr>
    <tr><td class="active_going_down"></td><td class="noborder">active UP, going down </td><td class="backup_going_down"></td><td class="noborder">backup UP, going down </td></tr>
    <tr><td class="active_going_up"></td><td class="noborder">active DOWN, going up </td><td class="backup_going_up"></td><td class="noborder">backup DOWN, going up </td></tr>
    <tr><td class="active_down"></td><td class="noborder">active or backup DOWN &nbsp;</td><td class="active_no_check"></td><td class="noborder">not checked </td></tr>
    <tr><td class="maintain"></td><td class="noborder" colspan="3">active or backup DOWN for maintenance (MAINT) &nbsp;</td></tr>
    <tr><td class="active_draining"></td><td class="noborder" colspan="3">active or backup SOFT STOPPED for maintenance &nbsp;</td></tr></table>
    Note: "NOLB"/"DRAIN" = UP with load-balancing disabled.
    """

    /// The two header rows of every proxy table: the column groups, then their columns.
    /// - modules: `stats show-modules`, a last column with the statistics
    ///   modules' fields (ssl, h2, h1) of each row.
    static func columnHeads(admin: Bool, proxy: String, modules: Bool = false) -> String {
        let first = admin
            ? "<th rowspan=2 width=1><input type=\"checkbox\" onclick=\"for(c in document.getElementsByClassName('\(proxy)-checkbox')) document.getElementsByClassName('\(proxy)-checkbox').item(c).checked = this.checked\"></th>"
            : "<th rowspan=2></th>"
        return "<tr class=\"titre\">" + first + "<th rowspan=2></th><th colspan=3>Queue</th><th colspan=3>Session rate</th>"
            + "<th colspan=6>Sessions</th><th colspan=2>Bytes</th><th colspan=2>Denied</th><th colspan=3>Errors</th>"
            + "<th colspan=2>Warnings</th><th colspan=9>Server</th>" + (modules ? "<th rowspan=2>Extra modules</th>" : "") + "</tr>\n"
            + "<tr class=\"titre\">" + ["Cur", "Max", "Limit", "Cur", "Max", "Limit", "Cur", "Max", "Limit", "Total", "LbTot", "Last",
                                        "In", "Out", "Req", "Resp", "Req", "Conn", "Resp", "Retr", "Redis", "Status", "LastChk",
                                        "Wght", "Act", "Bck", "Chk", "Dwn", "Dwntme", "Thrtle"].map { "<th>\($0)</th>" }.joined()
            + "\n</tr>"
    }

    /// The admin select box, HAProxy's values and labels.
    static let actions = """
    Choose the action to perform on the checked servers : <select name=action><option value=""></option>\
    <option value="ready">Set state to READY</option><option value="drain">Set state to DRAIN</option>\
    <option value="maint">Set state to MAINT</option><option value="dhlth">Health: disable checks</option>\
    <option value="ehlth">Health: enable checks</option><option value="hrunn">Health: force UP</option>\
    <option value="hnolb">Health: force NOLB</option><option value="hdown">Health: force DOWN</option>\
    <option value="dagent">Agent: disable checks</option><option value="eagent">Agent: enable checks</option>\
    <option value="arunn">Agent: force UP</option><option value="adown">Agent: force DOWN</option>\
    <option value="shutdown">Kill Sessions</option></select>
    """
}
