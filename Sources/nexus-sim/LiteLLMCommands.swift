import ArgumentParser
import Foundation
import NexusGateway
import NexusScenario

/// Reads a LiteLLM price table for the LiteLLM commands; exit 2 when it cannot be read.
private func readPriceBook(_ path: String?) throws -> PriceBook? {
    guard let path else { return nil }
    guard let data = FileManager.default.contents(atPath: path) else {
        printError("error: --prices \(path): cannot read the file")
        throw ExitStatus.invalidInput
    }
    do { return try PriceBook.litellm(json: data) } catch {
        printError("error: --prices \(path): \(error)")
        throw ExitStatus.invalidInput
    }
}

/// Runs `body`, printing a scenario or spend-log error with its location and exiting 2.
private func reportingInputErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as ScenarioError {
        printError(error.description)
        throw ExitStatus.invalidInput
    } catch let error as SpendLogError {
        printError("error: \(error.description)")
        throw ExitStatus.invalidInput
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import another gateway's configuration as a scenario.",
        subcommands: [ImportLiteLLM.self])

    struct ImportLiteLLM: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "litellm", abstract: "A LiteLLM proxy config (model_list, router_settings, litellm_settings) as a scenario.",
            discussion: "Prints the scenario on stdout; keys that cannot be mapped are listed on stderr with their line. See docs/litellm.md.")

        @Argument(help: "The LiteLLM config.yaml.") var config: String
        @Option(help: "Latency and error models per deployment (deployments: {MODEL: {ttft, tokens_per_second, errors}}).") var providers: String?
        @Option(help: "A calibration from `nexus-sim calibrate litellm-spend-logs` (deployments and traffic).") var calibration: String?
        @Option(help: "A LiteLLM price table (model_prices_and_context_window.json); models are priced by name from it.") var prices: String?

        func run() throws {
            let book = try readPriceBook(prices)
            let result = try reportingInputErrors {
                try LiteLLMConfigImporter.importConfig(
                    path: config, providers: try providers.map(LiteLLMDeploymentModels.read),
                    calibration: try calibration.map(LiteLLMDeploymentModels.read), priceBook: book, priceTablePath: prices)
            }
            for warning in result.warnings { printError("warning: \(warning)") }
            print(result.scenarioYAML, terminator: "")
        }
    }
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a scenario as another gateway's configuration.",
        subcommands: [ExportLiteLLM.self])

    struct ExportLiteLLM: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "litellm", abstract: "A scenario as a LiteLLM proxy config.",
            discussion: "Prints config.yaml on stdout; what LiteLLM cannot express is listed on stderr. See docs/litellm.md.")

        @OptionGroup var options: ScenarioOptions
        @Option(name: .customLong("api-base"), help: "Send every deployment to URL/<provider>/v1 (a `nexus-sim providers` emulator).") var apiBase: String?

        func run() throws {
            let scenario = try options.load()
            let result = try reportingInputErrors { try LiteLLMConfigExporter.export(scenario, apiBase: apiBase) }
            for warning in result.warnings { printError("warning: \(warning)") }
            print(result.configYAML, terminator: "")
        }
    }
}

struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate", abstract: "Fit provider and traffic models to recorded logs.",
        subcommands: [CalibrateSpendLogs.self])

    struct CalibrateSpendLogs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "litellm-spend-logs", abstract: "Fit deployments and traffic to a LiteLLM_SpendLogs export (CSV, JSON or JSON Lines).",
            discussion: "Prints calibration.yaml on stdout and the goodness of fit (KS distance per distribution) and cost comparison on stderr.")

        @Argument(help: "The spend-log export.") var file: String
        @Option(help: "A LiteLLM price table, to compare the recorded spend with what the scenario would charge.") var prices: String?

        func run() throws {
            let book = try readPriceBook(prices)
            let calibration = try reportingInputErrors { try SpendLogCalibration.fit(try SpendLogReader.read(path: file), priceBook: book) }
            printError(calibration.report)
            print(calibration.yaml(source: file), terminator: "")
        }
    }
}
