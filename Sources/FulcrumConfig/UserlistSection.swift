/// The `userlist` section (manual 3.4): users and groups that `http-request
/// auth` and the `http_auth` / `http_auth_group` criteria check credentials against.
extension ParseSession {
    mutating func openUserlist(_ words: [Word], at: (Word) -> SourceLocation) {
        let loc = at(words[0])
        guard words.count >= 2, !words[1].text.isEmpty else {
            alert(loc, "'userlist' expects <name> as an argument")
            current = .skipped("userlist")
            return
        }
        for extra in words.dropFirst(2) { alert(at(extra), "unexpected argument '\(extra.text)' after 'userlist \(words[1].text)'") }
        if let bad = ValueParsers.invalidNameCharacter(words[1].text) {
            alert(at(words[1]), "character '\(bad)' is not permitted in userlist name '\(words[1].text)'")
        }
        if let other = userlists.first(where: { $0.list.name == words[1].text }) {
            alert(at(words[1]), "userlist '\(words[1].text)' has the same name as the userlist declared at \(other.list.location)")
        }
        userlists.append(UserlistDraft(list: Userlist(name: words[1].text, location: loc)))
        current = .userlist(userlists.count - 1)
    }

    mutating func userlistKeyword(_ words: [Word], userlist i: Int, at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        let loc = at(words[0])
        let listName = userlists[i].list.name
        switch keyword {
        case "group":
            guard words.count >= 2, !words[1].text.isEmpty else {
                alert(loc, "'group' expects <name> as an argument")
                return
            }
            let name = words[1].text
            if let first = userlists[i].groupLocations[name] {
                alert(at(words[1]), "userlist '\(listName)': group '\(name)' already declared at \(first)")
                return
            }
            var members: [(String, SourceLocation)] = []
            if words.count > 2 {
                guard words[2].text == "users", words.count == 4 else {
                    alert(at(words[2]), "'group' expects 'users <user>[,<user>...]' after the group name but got '\(words[2].text)'")
                    return
                }
                members = words[3].text.split(separator: ",").map { (String($0), at(words[3])) }
            }
            userlists[i].groupLocations[name] = loc
            userlists[i].groupOrder.append(name)
            userlists[i].groupMembers.append(contentsOf: members.map { (group: name, user: $0.0, location: $0.1) })
        case "user":
            guard words.count >= 4, !words[1].text.isEmpty else {
                alert(loc, "'user' expects <name> then 'password <hash>' or 'insecure-password <password>'")
                return
            }
            let name = words[1].text
            if userlists[i].list.users.contains(where: { $0.name == name }) {
                alert(at(words[1]), "userlist '\(listName)': user '\(name)' already declared")
                return
            }
            guard words[2].text == "password" || words[2].text == "insecure-password" else {
                alert(at(words[2]), "'user' expects 'password' or 'insecure-password' but got '\(words[2].text)'"
                      + hint(words[2].text, ["password", "insecure-password"]))
                return
            }
            var groups: [String] = []
            if words.count > 4 {
                guard words[4].text == "groups", words.count == 6 else {
                    alert(at(words[4]), "'user' expects 'groups <group>[,<group>...]' after the password but got '\(words[4].text)'")
                    return
                }
                groups = words[5].text.split(separator: ",").map(String.init)
                for g in groups { userlists[i].groupReferences.append((g, name, at(words[5]))) }
            }
            userlists[i].list.users.append(UserlistUser(name: name, password: words[3].text,
                                                        insecure: words[2].text == "insecure-password", groups: groups))
        default:
            alert(loc, "unknown keyword '\(keyword)' in 'userlist' section" + hint(keyword, ["user", "group"]))
        }
    }

    /// The userlists, with group membership from both directions, after
    /// HAProxy's checks: every group a user names is declared, every user a
    /// group names exists.
    mutating func validatedUserlists() -> [Userlist] {
        var result: [Userlist] = []
        for draft in userlists {
            var list = draft.list
            var groups: [String: [String]] = [:]
            for g in draft.groupOrder { groups[g] = [] }
            for (group, user, loc) in draft.groupMembers {
                guard list.users.contains(where: { $0.name == user }) else {
                    alert(loc, "userlist '\(list.name)': no such user '\(user)' specified in group '\(group)'")
                    continue
                }
                if !groups[group]!.contains(user) { groups[group]!.append(user) }
            }
            for (group, user, loc) in draft.groupReferences {
                guard groups[group] != nil else {
                    alert(loc, "userlist '\(list.name)': no such group '\(group)' specified in user '\(user)'")
                    continue
                }
                if !groups[group]!.contains(user) { groups[group]!.append(user) }
            }
            list.groups = groups
            // Each user's groups list names every group it belongs to.
            for k in list.users.indices {
                let name = list.users[k].name
                list.users[k].groups = draft.groupOrder.filter { groups[$0]!.contains(name) }
            }
            result.append(list)
        }
        return result
    }
}

/// A userlist while it is read, with where its groups were named.
struct UserlistDraft: Sendable {
    var list: Userlist
    var groupOrder: [String] = []
    var groupLocations: [String: SourceLocation] = [:]
    /// `group G users U,...`
    var groupMembers: [(group: String, user: String, location: SourceLocation)] = []
    /// `user U ... groups G,...`
    var groupReferences: [(group: String, user: String, location: SourceLocation)] = []
}
