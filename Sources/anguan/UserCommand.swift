import AnguanCore
import AnguanStore
import ArgumentParser
import Foundation

/// `anguan user add|passwd|disable|enable|list|token`: the platform's users.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users (用户).",
        subcommands: [Add.self, Passwd.self, Disable.self, Enable.self, List.self, Token.self])

    /// Reads a password from the terminal without echo, or from stdin when it is not a terminal.
    static func readPassword(_ prompt: String) throws -> String {
        if isatty(0) != 0, let p = getpass(prompt) { return String(cString: p) }
        guard let line = readLine() else { throw ValidationError("no password given on standard input") }
        return line
    }

    static func withAccounts<T>(_ options: StoreOptions, _ body: (Accounts) async throws -> T) async throws -> T {
        let settings = try await options.settings()
        let store = try await options.openStore(settings)
        do {
            let r = try await body(Accounts(store: store))
            await store.close()
            return r
        } catch let e as LoopError {
            await store.close()
            throw ValidationError(e.description)
        } catch {
            await store.close()
            throw error
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user; the password is asked for (or read from stdin).")
        @Argument(help: "Login name.") var login: String
        @Option(help: "Full name (姓名).") var name: String
        @Option(help: "Role: supervisor 案管民警, legal_officer 法制员, unit_head 所队长, officer 民警, prosecutor 检察官, admin 管理员.")
        var role: String
        @Option(help: "Unit id (required for unit_head and officer).") var unit: String?
        @Option(help: "Officer id (警号) the user answers for (民警).") var officer: String?
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            guard let r = Role(rawValue: role), r != .patrol else {
                throw ValidationError("role \"\(role)\" is not one of supervisor, legal_officer, unit_head, officer, prosecutor, admin")
            }
            let password = try UserCommand.readPassword("Password for \(login): ")
            let u = try await UserCommand.withAccounts(storeOptions) {
                try await $0.add(login: login, name: name, role: r, unitId: unit, officerId: officer, password: password, by: "cli")
            }
            print("added \(u.login) (\(u.role.label))")
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password (ends their sessions).")
        @Argument var login: String
        @OptionGroup var storeOptions: StoreOptions
        func run() async throws {
            let password = try UserCommand.readPassword("New password for \(login): ")
            try await UserCommand.withAccounts(storeOptions) { try await $0.setPassword(login: login, password: password, by: "cli") }
            print("password of \(login) changed")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user (ends sessions, revokes API tokens).")
        @Argument var login: String
        @OptionGroup var storeOptions: StoreOptions
        func run() async throws { try await UserCommand.setDisabled(login, true, storeOptions) }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled user.")
        @Argument var login: String
        @OptionGroup var storeOptions: StoreOptions
        func run() async throws { try await UserCommand.setDisabled(login, false, storeOptions) }
    }

    static func setDisabled(_ login: String, _ disabled: Bool, _ options: StoreOptions) async throws {
        try await withAccounts(options) { try await $0.setDisabled(login: login, disabled, by: "cli") }
        print("\(login) \(disabled ? "disabled" : "enabled")")
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var storeOptions: StoreOptions
        func run() async throws {
            let users = try await UserCommand.withAccounts(storeOptions) { try await $0.list() }
            for u in users {
                print([u.login, u.name, u.role.rawValue, u.unitId ?? "-", u.officerId ?? "-", u.disabled ? "disabled" : "active"]
                    .joined(separator: "\t"))
            }
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token for a user (printed once).")
        @Argument var login: String
        @Option(help: "A name for the token.") var name = "api"
        @OptionGroup var storeOptions: StoreOptions
        func run() async throws {
            print(try await UserCommand.withAccounts(storeOptions) { try await $0.createToken(login: login, name: name, by: "cli") })
        }
    }
}
