/// Small helpers for server-rendered pages.
enum HTML {
    /// Escapes text for HTML content and attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A whole page in the platform's layout (zh-CN).
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="zh-CN">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · 案管</title>
        <style>
        body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0; color: #1f2933; background: #f5f7fa; }
        header { background: #123a6b; color: #fff; padding: 12px 24px; display: flex; align-items: baseline; gap: 16px; }
        header h1 { font-size: 20px; margin: 0; }
        header span { opacity: .8; font-size: 13px; }
        main { padding: 16px 24px; max-width: 1200px; }
        section { background: #fff; border: 1px solid #d9e2ec; border-radius: 6px; padding: 12px 16px; margin-bottom: 16px; }
        h2 { font-size: 16px; margin: 4px 0 12px; color: #123a6b; }
        table { border-collapse: collapse; width: 100%; font-size: 14px; }
        th, td { border-bottom: 1px solid #e4e7eb; padding: 6px 8px; text-align: left; }
        th { background: #f0f4f8; font-weight: 600; }
        td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(130px, 1fr)); gap: 10px; }
        .card { border: 1px solid #d9e2ec; border-radius: 6px; padding: 8px 12px; background: #fbfcfd; }
        .card b { display: block; font-size: 22px; color: #123a6b; }
        .ok { color: #1b7f3b; } .bad { color: #b42318; }
        @media print { header { background: none; color: #000; } section { border: none; } }
        </style>
        </head>
        <body>
        <header><h1>案管 · 执法监督管理平台</h1><span>Anguan law-enforcement supervision</span></header>
        <main>
        \(body)
        </main>
        </body>
        </html>
        """
    }
}
